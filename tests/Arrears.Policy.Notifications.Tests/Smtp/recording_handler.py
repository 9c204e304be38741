"""An aiosmtpd handler for the SMTP notifier's tests: records every message it accepts, rejects some recipients.

Run as ``python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c recording_handler.RecordingHandler FOLDER`` with this file's
folder on PYTHONPATH. For each accepted message it writes FOLDER/NNNNNN.eml (the message as received) and
FOLDER/NNNNNN.json (the envelope: mail_from and rcpt_tos), each renamed into place once complete.

Recipients whose local part is ``rejected`` get ``550 5.1.1`` (a permanent failure), ``busy`` get ``451 4.2.1`` (a
transient one); every other recipient is accepted.
"""

import itertools
import json
import os


class RecordingHandler:
    def __init__(self, folder):
        self.folder = folder
        self.counter = itertools.count(1)
        os.makedirs(folder, exist_ok=True)

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("RecordingHandler takes one argument: the folder to save messages in")
        return cls(args[0])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local == "rejected":
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        if local == "busy":
            return "451 4.2.1 <%s>: Mailbox busy, try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = "%06d" % next(self.counter)
        self._write(name + ".json", json.dumps({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}).encode("utf-8"))
        self._write(name + ".eml", envelope.original_content)
        return "250 2.0.0 Message accepted for delivery"

    def _write(self, name, data):
        path = os.path.join(self.folder, name)
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.replace(path + ".tmp", path)
