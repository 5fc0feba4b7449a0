#include "sim/world/expectations.h"

#include <algorithm>

#include "sim/mail/ascii.h"
#include "sim/mail/message.h"
#include "sim/mail/encoded_words.h"
#include "sim/world/retrieval.h"

namespace mailhop::world {

namespace {

using mail::ascii_lower;
using mail::ascii_upper;

// "{what} holds exactly {expected}": passed when `have` is that.
ExpectationResult count_result(const char* key, const std::string& subject, int expected,
                               std::size_t have, bool exists) {
  ExpectationResult r;
  r.what = {key, {subject, std::to_string(expected)}};
  r.passed = exists && have == static_cast<std::size_t>(expected);
  if (!r.passed)
    r.detail = exists ? LocalizedLine{"expect.found_count", {std::to_string(have)}}
                      : LocalizedLine{"expect.no_mailbox", {}};
  return r;
}

std::string subject_list(const std::vector<std::string>& subjects) {
  std::string list;
  for (const std::string& f : subjects) list += (list.empty() ? "\"" : ", \"") + f + "\"";
  return list;
}

// What a device shows for an account. A device that never opened the account shows nothing.
void check_device(const World& w, const scenario::DeviceExpectation& d,
                  std::vector<ExpectationResult>* results) {
  const DeviceMailbox* dev = w.retrieval().device(d.node, d.account);
  const std::string who = d.account + " / " + d.node;
  const std::size_t count = dev ? dev->messages.size() : 0;
  const std::size_t seen = dev ? dev->seen_count() : 0;
  auto counted = [&](const char* key, int expected, std::size_t have) {
    ExpectationResult r;
    r.what = {key, {who, std::to_string(expected)}};
    r.passed = have == static_cast<std::size_t>(expected);
    if (!r.passed) r.detail = {"expect.found_count", {std::to_string(have)}};
    results->push_back(r);
  };
  if (d.count) counted("expect.device_count", *d.count, count);
  std::vector<std::string> found;
  if (dev)
    for (const DeviceMessage& m : dev->messages) found.push_back(m.subject);
  for (const std::string& subject : d.subjects) {
    ExpectationResult r;
    r.what = {"expect.device_subject", {who, subject}};
    r.passed = std::find(found.begin(), found.end(), subject) != found.end();
    if (!r.passed)
      r.detail = found.empty() ? LocalizedLine{"expect.device_empty", {}}
                               : LocalizedLine{"expect.found_subjects", {subject_list(found)}};
    results->push_back(r);
  }
  if (d.seen) counted("expect.device_seen", *d.seen, seen);
  if (d.unseen) counted("expect.device_unseen", *d.unseen, count - seen);
  if (d.error) {
    ExpectationResult r;
    r.what = {"expect.device_error", {who, *d.error}};
    r.passed = dev && dev->last_error.find(*d.error) != std::string::npos;
    if (!r.passed)
      r.detail = dev && !dev->last_error.empty() ? LocalizedLine{"expect.device_error_was", {dev->last_error}}
                                                 : LocalizedLine{"expect.device_no_error", {}};
    results->push_back(r);
  }
}

}  // namespace

std::string decoded_subject(const std::string& content) {
  auto msg = mail::Message::parse(content);
  if (!msg) return {};
  const std::string value = msg->get("Subject").value_or("");
  return mail::decode_encoded_words(value).value_or(value);
}

std::vector<ExpectationResult> check_expectations(World& w, const scenario::Expectations& e) {
  std::vector<ExpectationResult> results;
  for (const scenario::MailboxExpectation& m : e.mailboxes) {
    const MailboxState* box = w.mailbox(ascii_lower(m.address));
    if (m.count) {
      ExpectationResult r;
      r.what = {"expect.mailbox_count", {m.address, std::to_string(*m.count)}};
      const std::size_t have = box ? box->inbox().count() : 0;
      r.passed = box && have == static_cast<std::size_t>(*m.count);
      if (!r.passed)
        r.detail = box ? LocalizedLine{"expect.found_count", {std::to_string(have)}}
                       : LocalizedLine{"expect.no_mailbox", {}};
      results.push_back(r);
    }
    for (const std::string& subject : m.subjects) {
      ExpectationResult r;
      r.what = {"expect.mailbox_subject", {m.address, subject}};
      std::vector<std::string> found;
      if (box)
        for (const mail::StoredMessage& msg : box->inbox().messages())
          found.push_back(decoded_subject(msg.content));
      r.passed = std::find(found.begin(), found.end(), subject) != found.end();
      if (!r.passed) {
        std::string list;
        for (const std::string& f : found) list += (list.empty() ? "\"" : ", \"") + f + "\"";
        r.detail = found.empty() ? LocalizedLine{"expect.mailbox_empty", {}}
                                 : LocalizedLine{"expect.found_subjects", {list}};
      }
      results.push_back(r);
    }
    const std::size_t seen = box ? box->inbox().count() - box->inbox().unseen_count() : 0;
    const std::size_t unseen = box ? box->inbox().unseen_count() : 0;
    const bool exists = box != nullptr;
    if (m.seen)
      results.push_back(count_result("expect.mailbox_seen", m.address, *m.seen, seen, exists));
    if (m.unseen)
      results.push_back(count_result("expect.mailbox_unseen", m.address, *m.unseen, unseen, exists));
  }
  for (const scenario::DeviceExpectation& d : e.devices) check_device(w, d, &results);
  for (const scenario::BounceExpectation& b : e.bounces) {
    ExpectationResult r;
    r.what = b.status ? LocalizedLine{"expect.bounce_status", {b.to, b.recipient, *b.status}}
                      : LocalizedLine{"expect.bounce", {b.to, b.recipient}};
    for (const BounceRecord& rec : w.bounces()) {
      if (ascii_lower(rec.to) == ascii_lower(b.to) && ascii_lower(rec.recipient) == ascii_lower(b.recipient) &&
          (!b.status || rec.status == *b.status))
        r.passed = true;
    }
    if (!r.passed) {
      std::string list;
      for (const BounceRecord& rec : w.bounces())
        list += (list.empty() ? "" : ", ") + rec.to + " / " + rec.recipient + " / " + rec.status;
      r.detail = w.bounces().empty() ? LocalizedLine{"expect.no_bounce", {}}
                                     : LocalizedLine{"expect.found_bounces", {list}};
    }
    results.push_back(r);
  }
  if (e.bounce_count) {
    ExpectationResult r;
    r.what = {"expect.bounce_count", {std::to_string(*e.bounce_count)}};
    r.passed = w.bounces().size() == static_cast<std::size_t>(*e.bounce_count);
    if (!r.passed) r.detail = {"expect.found_count", {std::to_string(w.bounces().size())}};
    results.push_back(r);
  }
  for (const scenario::ReplyExpectation& x : e.replies) {
    ExpectationResult r;
    const int min = x.min_count.value_or(1);
    const std::string reply = std::to_string(x.code) + (x.enhanced ? " " + *x.enhanced : "");
    r.what = x.server ? LocalizedLine{"expect.reply_from", {reply, *x.server, std::to_string(min)}}
                      : LocalizedLine{"expect.reply", {reply, std::to_string(min)}};
    int seen = 0;
    for (const ReplyRecord& rec : w.replies()) {
      if (rec.code == x.code && (!x.enhanced || rec.enhanced == *x.enhanced) &&
          (!x.server || rec.server == *x.server))
        seen += static_cast<int>(rec.count);
    }
    r.passed = seen >= min;
    if (!r.passed) r.detail = {"expect.seen_count", {std::to_string(seen)}};
    results.push_back(r);
  }
  for (const scenario::QueueExpectation& q : e.queues) {
    ExpectationResult r;
    r.what = {"expect.queue_count", {q.node, std::to_string(q.count)}};
    const NodeState* n = w.node(q.node);
    r.passed = n && n->queue.size() == static_cast<std::size_t>(q.count);
    if (!r.passed)
      r.detail = n ? LocalizedLine{"expect.found_count", {std::to_string(n->queue.size())}}
                   : LocalizedLine{"expect.no_node", {}};
    results.push_back(r);
  }
  ExpectationResult audit;
  audit.what = {"expect.nothing_lost", {}};
  const auto problems = w.audit();
  audit.passed = problems.empty();
  if (!problems.empty()) audit.detail = {"expect.lost", {problems.front()}};
  results.push_back(audit);
  return results;
}

}  // namespace mailhop::world
