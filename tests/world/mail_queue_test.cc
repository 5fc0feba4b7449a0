#include "sim/world/mail_queue.h"

#include <catch2/catch.hpp>

using namespace mailhop::world;
using mailhop::core::SimTime;
using mailhop::mail::Envelope;
using mailhop::mail::Mailbox;

namespace {

Envelope envelope(bool bounce = false) {
  Envelope e;
  if (!bounce) e.mail_from = Mailbox{"marcos", "gmail.example"};
  e.rcpt_to.push_back({Mailbox{"julia", "yahoo.example"}, {}, {}});
  e.rcpt_to.push_back({Mailbox{"pedro", "yahoo.example"}, {}, {}});
  return e;
}

}  // namespace

TEST_CASE("queue ids are unique, sortable by arrival and differ between hosts", "[queue]") {
  MailQueue a("smtp.gmail.example", {}), b("mx.yahoo.example", {});
  const std::string id1 = a.enqueue(envelope(), "x", SimTime{});
  const std::string id2 = a.enqueue(envelope(), "y", SimTime{});
  const std::string other = b.enqueue(envelope(), "z", SimTime{});
  CHECK(id1.size() == 10);
  CHECK(id1 < id2);
  CHECK(id1 != other);
  CHECK(a.size() == 2);
  CHECK(a.count(QueueState::kIncoming) == 2);
  const QueueEntry* e = a.find(id1);
  REQUIRE(e);
  CHECK(e->recipients.size() == 2);
  CHECK(e->envelope.rcpt_to.empty());  // recipients live in the entry, with their own state
  CHECK(e->pending().size() == 2);
}

TEST_CASE("retries follow Postfix: 300 s, doubling, at most 4000 s apart", "[queue]") {
  MailQueue q("smtp.gmail.example", {});
  const std::string id = q.enqueue(envelope(), "x", SimTime{});
  std::vector<std::int64_t> attempts{0};
  SimTime now;
  for (int i = 0; i < 7; ++i) {
    q.activate(id);
    auto next = q.defer(id, now);
    REQUIRE(next);
    now = *next;
    attempts.push_back(now.seconds());
  }
  CHECK(attempts == std::vector<std::int64_t>{0, 300, 600, 1200, 2400, 4800, 8800, 12800});
  CHECK(q.find(id)->attempts == 7);
  CHECK(q.find(id)->state == QueueState::kDeferred);
  CHECK(q.due(SimTime::from_seconds(12799)).empty());
  CHECK(q.due(SimTime::from_seconds(12800)) == std::vector<std::string>{id});
}

TEST_CASE("the last attempt happens at the end of the lifetime, then it expires", "[queue]") {
  RetryPolicy p;
  p.lifetime = SimTime::from_seconds(1000);
  MailQueue q("relay.example", p);
  const std::string id = q.enqueue(envelope(), "x", SimTime::from_seconds(100));
  auto next = q.defer(id, SimTime::from_seconds(100));
  CHECK(next == SimTime::from_seconds(400));
  next = q.defer(id, SimTime::from_seconds(800));  // 700 s old: would be 1500, capped at 1100
  CHECK(next == SimTime::from_seconds(1100));
  CHECK_FALSE(q.defer(id, SimTime::from_seconds(1100)));  // lifetime over: bounce now
}

TEST_CASE("bounces use the bounce lifetime; hold and release", "[queue]") {
  RetryPolicy p;
  p.bounce_lifetime = SimTime::from_seconds(500);
  MailQueue q("relay.example", p);
  const std::string id = q.enqueue(envelope(true), "dsn", SimTime{});
  CHECK(q.defer(id, SimTime::from_seconds(300)));
  CHECK_FALSE(q.defer(id, SimTime::from_seconds(500)));
  q.hold(id);
  CHECK(q.count(QueueState::kHold) == 1);
  CHECK(q.due(SimTime::from_days(9)).empty());
  q.release(id, SimTime::from_seconds(600));
  CHECK(q.due(SimTime::from_seconds(600)) == std::vector<std::string>{id});
  q.find(id)->recipients[0].state = RecipientState::kDelivered;
  CHECK_FALSE(q.find(id)->all_done());
  q.find(id)->recipients[1].state = RecipientState::kFailed;
  CHECK(q.find(id)->all_done());
  q.remove(id);
  CHECK(q.size() == 0);
  CHECK(queue_state_name(QueueState::kDeferred) == "deferred");
}
