package emulator

import (
	"sync"
)

// recentEvents is how many events GET /_hsemu/events can return.
const recentEvents = 1000

// eventHub numbers events and hands each to every subscriber.
type eventHub struct {
	mu     sync.Mutex
	seq    uint64
	recent []Event // ring of the last recentEvents events
	next   int
	subs   map[*subscriber]struct{}
	closed bool
}

func newEventHub() *eventHub {
	return &eventHub{subs: map[*subscriber]struct{}{}}
}

// subscriber is one Subscribe call: an unbounded queue drained into out by one goroutine, so
// publishing never blocks a request and never drops an event.
type subscriber struct {
	mu     sync.Mutex
	queue  []Event
	wake   chan struct{} // capacity 1: "the queue may have grown"
	done   chan struct{} // closed by cancel
	exited chan struct{} // closed when the goroutine has closed out
	out    chan Event
	once   sync.Once
}

// Subscribe returns every Event from now on, in Seq order. The queue behind the channel is
// unbounded: a slow reader delays only itself. cancel is idempotent; it closes the channel and
// returns once it is closed. Close ends every subscription.
func (e *Emulator) Subscribe() (<-chan Event, func()) {
	return e.c.events.subscribe()
}

func (h *eventHub) subscribe() (<-chan Event, func()) {
	s := &subscriber{
		wake:   make(chan struct{}, 1),
		done:   make(chan struct{}),
		exited: make(chan struct{}),
		out:    make(chan Event),
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		close(s.out)
		close(s.exited)
		return s.out, func() {}
	}
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	go s.run()
	cancel := func() {
		h.mu.Lock()
		delete(h.subs, s)
		h.mu.Unlock()
		s.stop()
	}
	return s.out, cancel
}

func (s *subscriber) stop() {
	s.once.Do(func() { close(s.done) })
	<-s.exited
}

func (s *subscriber) push(ev Event) {
	s.mu.Lock()
	s.queue = append(s.queue, ev)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *subscriber) run() {
	defer close(s.exited)
	defer close(s.out)
	for {
		s.mu.Lock()
		if len(s.queue) == 0 {
			s.queue = nil // let a burst's backing array go
			s.mu.Unlock()
			select {
			case <-s.wake:
				continue
			case <-s.done:
				return
			}
		}
		ev := s.queue[0]
		s.queue[0] = Event{}
		s.queue = s.queue[1:]
		s.mu.Unlock()
		select {
		case s.out <- ev:
		case <-s.done:
			return
		}
	}
}

// publish numbers ev and queues it for every subscriber. Numbering and queueing happen under
// one lock, so every subscriber sees events in Seq order.
func (h *eventHub) publish(ev Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	ev.Seq = h.seq
	if len(h.recent) < recentEvents {
		h.recent = append(h.recent, ev)
	} else {
		h.recent[h.next] = ev
		h.next = (h.next + 1) % recentEvents
	}
	for s := range h.subs {
		s.push(ev)
	}
}

// LastSeq is the Seq of the newest event published so far (0 before any). A subscriber that has
// received the event with this Seq has received every request answered before the call.
func (e *Emulator) LastSeq() uint64 {
	e.c.events.mu.Lock()
	defer e.c.events.mu.Unlock()
	return e.c.events.seq
}

// since returns the retained events with Seq > after, oldest first.
func (h *eventHub) since(after uint64) []Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Event, 0, len(h.recent))
	for i := range h.recent {
		ev := h.recent[(h.next+i)%len(h.recent)]
		if ev.Seq > after {
			out = append(out, ev)
		}
	}
	return out
}

func (h *eventHub) close() {
	h.mu.Lock()
	h.closed = true
	subs := h.subs
	h.subs = map[*subscriber]struct{}{}
	h.mu.Unlock()
	for s := range subs {
		s.stop()
	}
}
