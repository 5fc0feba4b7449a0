#include "sim/world/mail_queue.h"

#include <algorithm>
#include <cstring>

namespace mailhop::world {

std::string_view queue_state_name(QueueState state) {
  switch (state) {
    case QueueState::kIncoming: return "incoming";
    case QueueState::kActive: return "active";
    case QueueState::kDeferred: return "deferred";
    case QueueState::kHold: return "hold";
  }
  return "unknown";
}

bool QueueEntry::all_done() const {
  return std::none_of(recipients.begin(), recipients.end(),
                      [](const QueuedRecipient& r) { return r.state == RecipientState::kPending; });
}

std::vector<mail::EnvelopeRecipient> QueueEntry::pending() const {
  std::vector<mail::EnvelopeRecipient> out;
  for (const QueuedRecipient& r : recipients) {
    if (r.state == RecipientState::kPending) out.push_back(r.rcpt);
  }
  return out;
}

MailQueue::MailQueue(std::string node_name, RetryPolicy policy)
    : m_node(std::move(node_name)), m_policy(policy) {
  // Ten upper-case hex digits like Postfix's short queue ids: the arrival counter mixed with
  // the node's name, so ids differ between hosts but sort by arrival within one.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : m_node) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  m_node_bits = (h & 0xFFFULL) << 28;
}

std::string MailQueue::next_id() {
  std::string id = upcoming_id();
  ++m_counter;
  return id;
}

std::string MailQueue::upcoming_id() const {
  std::string id;
  append_upcoming_id(id);
  return id;
}

void MailQueue::append_upcoming_id(std::string& out) const {
  // Forty bits (twelve of the node's, twenty-eight of the counter) as ten upper-case hex
  // digits: the first two from a table, the last eight all at once in a 64-bit word (each
  // nibble spread to its own octet, then turned into its digit).
  const std::uint64_t value = m_node_bits | ((m_counter + 1) & 0xFFFFFFFULL);
  static constexpr char kHex[] = "0123456789ABCDEF";
  char id[10];
  id[0] = kHex[(value >> 36) & 0xF];
  id[1] = kHex[(value >> 32) & 0xF];
  std::uint64_t x = value & 0xFFFFFFFFULL;
  x = ((x & 0xFFFF0000ULL) << 16) | (x & 0xFFFFULL);
  x = ((x & 0x0000FF000000FF00ULL) << 8) | (x & 0x000000FF000000FFULL);
  x = ((x & 0x00F000F000F000F0ULL) << 4) | (x & 0x000F000F000F000FULL);
  // Now octet k (from the least significant) holds nibble k. Digits from 10 on ('A'...)
  // come 7 after '9' + 1.
  const std::uint64_t letters = ((x + 0x0606060606060606ULL) >> 4) & 0x0101010101010101ULL;
  x += 0x3030303030303030ULL + letters * 7;
  // The most significant nibble's digit goes first in memory.
  x = __builtin_bswap64(x);
  std::memcpy(id + 2, &x, 8);
  out.append(id, sizeof id);
}

QueueEntry* MailQueue::add_entry(std::string& content, core::SimTime now,
                                 const std::optional<mail::TextShape>& shape) {
  // Built in its place in the map (a QueueEntry is not small to move). Ids grow with arrival,
  // so the new one nearly always goes last: the hint at the end spares the walk down the tree
  // (when it is wrong, after the counter wraps, the insert just searches as usual).
  const std::size_t before = m_entries.size();
  const auto it = m_entries.try_emplace(m_entries.end(), next_id());
  if (m_entries.size() == before) {
    m_last.it = it;  // (what enqueue returns the id of)
    m_last.set = true;
    return nullptr;
  }
  m_last.it = it;
  m_last.set = true;
  QueueEntry& entry = it->second;
  entry.id = it->first;
  entry.content = std::move(content);
  entry.content_shape = shape;
  entry.arrival = now;
  entry.next_attempt = now;
  return &entry;
}

const std::string& MailQueue::enqueue(mail::Envelope&& envelope, std::string content,
                                      core::SimTime now, std::optional<mail::TextShape> shape) {
  QueueEntry* entry = add_entry(content, now, shape);
  if (!entry) return m_last.it->first;
  entry->recipients.reserve(envelope.rcpt_to.size());
  // Each recipient moved once, into its place (not into a temporary moved again).
  for (mail::EnvelopeRecipient& r : envelope.rcpt_to) entry->recipients.emplace_back(std::move(r));
  envelope.rcpt_to.clear();
  entry->envelope = std::move(envelope);
  return entry->id;
}

const std::string& MailQueue::enqueue(const mail::Envelope& envelope, std::string content,
                                      core::SimTime now, std::optional<mail::TextShape> shape) {
  QueueEntry* entry = add_entry(content, now, shape);
  if (!entry) return m_last.it->first;
  entry->recipients.reserve(envelope.rcpt_to.size());
  for (const mail::EnvelopeRecipient& r : envelope.rcpt_to) entry->recipients.emplace_back(r);
  // Every part of the envelope but its recipients, which live in the entry's list.
  mail::Envelope& e = entry->envelope;
  e.mail_from = envelope.mail_from;
  e.declared_size = envelope.declared_size;
  e.body = envelope.body;
  e.ret = envelope.ret;
  e.envid = envelope.envid;
  return entry->id;
}

QueueEntry* MailQueue::find(const std::string& id) {
  if (m_last.set && m_last.it->first == id) return &m_last.it->second;
  auto it = m_entries.find(id);
  if (it == m_entries.end()) return nullptr;
  m_last.it = it;
  m_last.set = true;
  return &it->second;
}

const QueueEntry* MailQueue::find(const std::string& id) const {
  if (m_last.set && m_last.it->first == id) return &m_last.it->second;
  auto it = m_entries.find(id);
  return it == m_entries.end() ? nullptr : &it->second;
}

void MailQueue::activate(const std::string& id) {
  if (QueueEntry* e = find(id)) {
    e->state = QueueState::kActive;
    ++e->attempts;
  }
}

std::optional<core::SimTime> MailQueue::defer(const std::string& id, core::SimTime now) {
  QueueEntry* e = find(id);
  if (!e) return std::nullopt;
  const core::SimTime age = now - e->arrival;
  const core::SimTime lifetime = e->envelope.is_bounce() ? m_policy.bounce_lifetime : m_policy.lifetime;
  if (age >= lifetime) return std::nullopt;
  core::SimTime delay = std::clamp(age, m_policy.min_backoff, m_policy.max_backoff);
  // Never plan an attempt past the lifetime without one final try at its end.
  core::SimTime next = now + delay;
  if (next - e->arrival > lifetime) next = e->arrival + lifetime;
  e->state = QueueState::kDeferred;
  e->next_attempt = next;
  return next;
}

void MailQueue::hold(const std::string& id) {
  if (QueueEntry* e = find(id)) e->state = QueueState::kHold;
}

void MailQueue::release(const std::string& id, core::SimTime now) {
  QueueEntry* e = find(id);
  if (e && e->state == QueueState::kHold) {
    e->state = QueueState::kDeferred;
    e->next_attempt = now;
  }
}

void MailQueue::remove(const std::string& id) {
  if (m_last.set && m_last.it->first == id) {
    m_entries.erase(m_last.it);
  } else {
    m_entries.erase(id);
  }
  m_last.set = false;
}

std::size_t MailQueue::count(QueueState state) const {
  return static_cast<std::size_t>(std::count_if(
      m_entries.begin(), m_entries.end(), [&](const auto& kv) { return kv.second.state == state; }));
}

std::vector<std::string> MailQueue::due(core::SimTime now) const {
  std::vector<std::string> out;
  for (const auto& [id, e] : m_entries) {
    if (e.state == QueueState::kDeferred && e.next_attempt <= now) out.push_back(id);
  }
  return out;
}

}  // namespace mailhop::world
