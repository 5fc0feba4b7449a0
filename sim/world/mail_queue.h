#pragma once
// A server's store-and-forward queue with Postfix's states and retry schedule.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/sim_time.h"
#include "sim/mail/ascii.h"
#include "sim/mail/envelope.h"

namespace mailhop::world {

// Postfix's queues (qmgr(8)): incoming (just arrived), active (being delivered now),
// deferred (waiting for its next attempt), hold (held by the administrator).
enum class QueueState { kIncoming, kActive, kDeferred, kHold };
std::string_view queue_state_name(QueueState state);

// Defaults follow Postfix: minimal_backoff_time 300s, maximal_backoff_time 4000s,
// maximal_queue_lifetime and bounce_queue_lifetime 5d.
struct RetryPolicy {
  core::SimTime min_backoff = core::SimTime::from_seconds(300);
  core::SimTime max_backoff = core::SimTime::from_seconds(4000);
  core::SimTime lifetime = core::SimTime::from_days(5);
  core::SimTime bounce_lifetime = core::SimTime::from_days(5);
};

enum class RecipientState { kPending, kDelivered, kFailed };

struct QueuedRecipient {
  mail::EnvelopeRecipient rcpt;
  RecipientState state = RecipientState::kPending;
  std::string diagnostic;   // the last reply or reason, for the DSN and the inspector
  std::string remote_mta;   // the host that gave it, when one did
  bool reported = false;    // its failure has been bounced (or the bounce dropped)
};

struct QueueEntry {
  std::string id;                 // queue id, unique within the node, e.g. "4A7F21C03B"
  mail::Envelope envelope;        // sender and the parameters; recipients live below
  std::vector<QueuedRecipient> recipients;
  std::string content;            // the message as it will be sent (CRLF lines)
  std::optional<mail::TextShape> content_shape;  // mail::text_shape(content), when known
  QueueState state = QueueState::kIncoming;
  core::SimTime arrival;
  core::SimTime next_attempt;     // when kDeferred
  int attempts = 0;
  bool in_flight = false;  // an attempt to deliver it is under way

  bool all_done() const;          // no recipient is pending
  std::vector<mail::EnvelopeRecipient> pending() const;
};

class MailQueue {
 public:
  MailQueue(std::string node_name, RetryPolicy policy);

  const RetryPolicy& policy() const { return m_policy; }
  void set_policy(const RetryPolicy& policy) { m_policy = policy; }

  // The queue id the next enqueue() will give (a server writes it into the Received field
  // before the message is queued).
  std::string upcoming_id() const;
  // The same, written at the end of `out` (no string of its own).
  void append_upcoming_id(std::string& out) const;
  // Takes responsibility for a message; returns its new queue id.
  // `shape`, when given, must be mail::text_shape(content).
  const std::string& enqueue(mail::Envelope&& envelope, std::string content, core::SimTime now,
                             std::optional<mail::TextShape> shape = std::nullopt);
  // The same for an envelope that stays with the caller (a server's, after DATA): its parts
  // are copied straight into the entry, with no whole copy to take apart.
  const std::string& enqueue(const mail::Envelope& envelope, std::string content, core::SimTime now,
                             std::optional<mail::TextShape> shape = std::nullopt);

  QueueEntry* find(const std::string& id);
  const QueueEntry* find(const std::string& id) const;

  // An attempt begins: incoming or deferred → active.
  void activate(const std::string& id);
  // The attempt ended with recipients still pending: schedules the next attempt with Postfix's
  // backoff (time since arrival, clamped to [min_backoff, max_backoff]) and returns when.
  // Returns nothing when the queue lifetime has run out: the caller bounces what is pending.
  std::optional<core::SimTime> defer(const std::string& id, core::SimTime now);
  void hold(const std::string& id);
  void release(const std::string& id, core::SimTime now);  // hold → deferred, due now
  // Removes a finished entry (all recipients delivered or failed, or bounced).
  void remove(const std::string& id);

  // Entries in queue-id order (ids grow with arrival): deterministic for the GUI and traces.
  const std::map<std::string, QueueEntry>& entries() const { return m_entries; }
  std::size_t size() const { return m_entries.size(); }
  std::size_t count(QueueState state) const;
  // Deferred entries due at or before `now`, in id order.
  std::vector<std::string> due(core::SimTime now) const;

 private:
  std::string next_id();
  // A new entry under the next id with its content, shape and times, its envelope and
  // recipients left for the caller; nullptr when the id came round to an entry still queued
  // (the entry stays).
  QueueEntry* add_entry(std::string& content, core::SimTime now,
                        const std::optional<mail::TextShape>& shape);

  std::string m_node;
  // The node's part of every id (its name hashed): the name never changes, so it is hashed once.
  std::uint64_t m_node_bits = 0;
  RetryPolicy m_policy;
  std::map<std::string, QueueEntry> m_entries;
  std::uint64_t m_counter = 0;
  // The entry last enqueued or found: a message's events look up the same id again and again
  // (deliver, route, session outcome, finish, remove), and comparing one id is cheaper than a
  // walk down the tree. Map nodes stay where they are until erased; remove() forgets it, and
  // a copied or moved queue starts without it (it would point into the other map).
  struct LastFound {
    std::map<std::string, QueueEntry>::iterator it;
    bool set = false;
    LastFound() = default;
    LastFound(const LastFound&) {}
    LastFound(LastFound&& other) noexcept { other.set = false; }
    LastFound& operator=(const LastFound&) {
      set = false;
      return *this;
    }
    LastFound& operator=(LastFound&& other) noexcept {
      set = false;
      other.set = false;
      return *this;
    }
  };
  LastFound m_last;
};

}  // namespace mailhop::world
