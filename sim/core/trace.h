#pragma once
// The one channel through which the simulation reports everything it does. The GUI animator,
// the text transcript, the JSON trace writer and the golden tests are all observers.

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/name.h"
#include "sim/core/sim_time.h"

namespace mailhop::core {

enum class TraceKind {
  kConnectionOpened,   // node → peer, protocol, connection id
  kConnectionRefused,  // nobody listening / host down
  kConnectionClosed,
  kConnectionReset,    // crash or link failure mid-conversation
  kClientLine,         // a command line the client sent (text without CRLF)
  kServerLine,         // one reply line the server sent (text without CRLF)
  kDataSent,           // the message body crossed (text: octet count)
  kTlsHandshake,
  kAuthenticated,
  kDnsQuery,
  kDnsAnswer,
  kQueued,             // a server took responsibility for a message
  kRetryScheduled,
  kDelivered,          // into a mailbox
  kRelayed,            // the next hop took responsibility (250 after DATA)
  kSendFailed,         // a MUA could not submit (the message stays in its outbox)
  kDeferred,
  kBounced,            // a DSN was generated
  kDropped,            // a bounce that could not be delivered (never bounced again)
  kFaultStarted,
  kFaultEnded,
  kNote,
};

std::string_view trace_kind_name(TraceKind kind);

struct TraceEvent {
  SimTime time;                   // when it happened (for a line: when it was sent)
  SimTime arrival;                // for a line or data: when it reached the other end
  TraceKind kind = TraceKind::kNote;
  int code = 0;                   // reply code where one applies
  Name node;                      // where it happened (host name)
  Name peer;                      // the other end, when there is one
  std::uint64_t connection = 0;   // connection id, 0 when not about a connection
  Name protocol;                  // "SMTP", "POP3", "IMAP", "DNS", or empty
  std::string message;            // queue id / message id it concerns, or empty
  std::string text;               // the line, reply, or a description
};

class TraceObserver {
 public:
  virtual ~TraceObserver() = default;
  virtual void on_trace(const TraceEvent& event) = 0;
  // The same, for the last observer of a Trace when the event is a temporary: it may keep the
  // event by moving from it instead of copying it.
  virtual void on_trace_owned(TraceEvent&& event) { on_trace(event); }
};

// Fans events out to observers in registration order. Observers are not owned.
class Trace {
 public:
  void add_observer(TraceObserver* observer) { m_observers.push_back(observer); }
  void remove_observer(TraceObserver* observer);
  bool has_observers() const { return !m_observers.empty(); }
  void emit(const TraceEvent& event);
  // The same for an event nobody needs afterwards: the last observer may move from it.
  void emit(TraceEvent&& event);
  std::uint64_t emitted() const { return m_emitted; }

 private:
  std::vector<TraceObserver*> m_observers;
  std::uint64_t m_emitted = 0;
};

// Keeps every event: for tests, golden traces and the GUI's history.
class TraceRecorder : public TraceObserver {
 public:
  void on_trace(const TraceEvent& event) override {
    make_room();
    m_events.push_back(event);
  }
  void on_trace_owned(TraceEvent&& event) override {
    make_room();
    m_events.push_back(std::move(event));
  }
  const std::vector<TraceEvent>& events() const { return m_events; }
  void clear() { m_events.clear(); }

 private:
  // Grows four times at once: a long run moves its events (and touches new memory) less often
  // than with the usual doubling; capacity never used is never touched.
  void make_room() {
    if (m_events.size() == m_events.capacity())
      m_events.reserve(std::max<std::size_t>(1024, m_events.capacity() * 4));
  }
  std::vector<TraceEvent> m_events;
};

}  // namespace mailhop::core
