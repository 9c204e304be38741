using System.Collections;

namespace Arrears.Policy;

/// <summary>
/// An evaluation's notification intents, held as its events: each event is told to every recipient of its route's audience
/// over each of the route's channels (the creator first, then the collaborators in order; for each recipient the channels
/// in order), and the intents are built from the events when first read. An evaluation read only for its transitions
/// (most due accounts of a bulk pass go to an outbox that reads the events themselves) builds no intent at all.
/// </summary>
/// <remarks>
/// The routes, the account's recipients and the events never change, so the intents are always the same; two threads that
/// read the list first at the same time build equal intents, and one of the two arrays is kept.
/// </remarks>
internal sealed class NotificationList : IReadOnlyList<NotificationIntent>
{
    private readonly NotificationEvent? _single;
    private readonly NotificationEvent[]? _events;
    private readonly AccountProfile _account;
    private NotificationIntent[]? _intents;

    /// <summary>Initializes a list of one event's intents.</summary>
    public NotificationList(NotificationEvent single, AccountProfile account, int count)
    {
        _single = single;
        _account = account;
        Count = count;
    }

    /// <summary>Initializes a list of several events' intents, the events in the order they happened.</summary>
    public NotificationList(NotificationEvent[] events, AccountProfile account, int count)
    {
        _events = events;
        _account = account;
        Count = count;
    }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public NotificationIntent this[int index] => Intents[index];

    /// <summary>How many intents an event makes: its route's channels for each recipient its audience reaches.</summary>
    public static int CountOf(NotificationRoute route, AccountProfile account) =>
        route.Channels.Count * (((route.Audience & Audience.Creator) != 0 ? 1 : 0) + ((route.Audience & Audience.Collaborators) != 0 ? account.Collaborators.Count : 0));

    /// <summary>Enumerates the intents' parts (event, recipient, channel) in order, without building intents.</summary>
    public PartEnumerator Parts() => new(this);

    /// <inheritdoc />
    public IEnumerator<NotificationIntent> GetEnumerator() => ((IEnumerable<NotificationIntent>)Intents).GetEnumerator();

    /// <inheritdoc />
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private NotificationIntent[] Intents => _intents ?? Build();

    private int EventCount => _events?.Length ?? 1;

    private NotificationEvent EventAt(int index) => _events is { } events ? events[index] : _single!;

    private NotificationIntent[] Build()
    {
        var intents = new NotificationIntent[Count];
        var i = 0;
        for (var parts = Parts(); parts.MoveNext();)
        {
            intents[i++] = new NotificationIntent(parts.Event, parts.Recipient, parts.Channel);
        }

        return Interlocked.CompareExchange(ref _intents, intents, null) ?? intents;
    }

    /// <summary>The intents' parts in order: for each event, each recipient its audience reaches, each channel of its route.</summary>
    internal struct PartEnumerator
    {
        private readonly NotificationList _list;
        private int _event;
        private int _recipient;
        private int _channel;

        public PartEnumerator(NotificationList list)
        {
            _list = list;
            _event = 0;
            _recipient = 0;
            _channel = -1;
            Event = null!;
            Recipient = null!;
            Channel = null!;
        }

        /// <summary>Gets the current intent's event.</summary>
        public NotificationEvent Event { get; private set; }

        /// <summary>Gets the current intent's recipient.</summary>
        public string Recipient { get; private set; }

        /// <summary>Gets the current intent's channel.</summary>
        public string Channel { get; private set; }

        /// <summary>Moves to the next intent.</summary>
        public bool MoveNext()
        {
            var account = _list._account;
            while (_event < _list.EventCount)
            {
                var notificationEvent = _list.EventAt(_event);
                var route = notificationEvent.Route;
                var channels = route.Channels;

                // Recipient 0 is the creator (when the audience has it), 1.. the collaborators (when it has them).
                var first = (route.Audience & Audience.Creator) != 0 ? 0 : 1;
                var last = (route.Audience & Audience.Collaborators) != 0 ? account.Collaborators.Count : 0;
                if (_recipient < first)
                {
                    _recipient = first;
                }

                _channel++;
                if (_channel >= channels.Count)
                {
                    _channel = 0;
                    _recipient++;
                }

                if (_recipient <= last && channels.Count > 0)
                {
                    Event = notificationEvent;
                    Recipient = _recipient == 0 ? account.Creator : account.Collaborators[_recipient - 1];
                    Channel = channels[_channel];
                    return true;
                }

                _event++;
                _recipient = 0;
                _channel = -1;
            }

            return false;
        }
    }
}
