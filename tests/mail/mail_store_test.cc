#include "sim/mail/mail_store.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using mailhop::mail::FlagSet;
using mailhop::mail::MailStore;
using mailhop::mail::StoreChange;
using mailhop::mail::SystemFlag;

namespace {

FlagSet flags_of(std::initializer_list<const char*> names) {
  FlagSet f;
  for (const char* n : names) REQUIRE(f.add(n));
  return f;
}

}  // namespace

TEST_CASE("mail store: default folders with deterministic UIDVALIDITY", "[mail][mail_store]") {
  MailStore store(100);
  CHECK(store.folder_names() == std::vector<std::string>{"INBOX", "Sent", "Junk"});
  REQUIRE(store.folder("INBOX"));
  CHECK(store.folder("INBOX")->uidvalidity() == 100);
  CHECK(store.folder("Sent")->uidvalidity() == 101);
  CHECK(store.folder("Junk")->uidvalidity() == 102);
  CHECK(store.folder("inbox") == store.folder("INBOX"));
  CHECK(store.folder("sent") == nullptr);  // only INBOX is case-insensitive
  CHECK(store.folder("INBOX")->uidnext() == 1);
  CHECK(store.folder("INBOX")->count() == 0);

  SECTION("more folders") {
    CHECK(store.create_folder("Work/Projects", 7));
    CHECK(store.folder("Work/Projects")->uidvalidity() == 7);
    CHECK_FALSE(store.create_folder("Work/Projects", 8));  // taken
    CHECK_FALSE(store.create_folder("inbox", 8));          // INBOX in any case
    CHECK_FALSE(store.create_folder("", 8));
    CHECK_FALSE(store.create_folder("/x", 8));
    CHECK_FALSE(store.create_folder("x/", 8));
    CHECK_FALSE(store.create_folder("a//b", 8));
    CHECK_FALSE(store.create_folder("a\r\nb", 8));
    CHECK_FALSE(store.create_folder("Other", 0));
    CHECK(store.folder_names().size() == 4);
  }
}

TEST_CASE("mail store: append, lookups by UID and sequence number", "[mail][mail_store]") {
  MailStore store;
  const auto u1 = store.append("INBOX", "Subject: a\r\n\r\none\r\n", 1000);
  const auto u2 = store.append("inbox", "Subject: b\r\n\r\ntwo\r\n", 2000, flags_of({"\\Seen"}));
  REQUIRE(u1);
  REQUIRE(u2);
  CHECK(*u1 == 1);
  CHECK(*u2 == 2);
  CHECK_FALSE(store.append("Nowhere", "x", 1));
  const auto* inbox = store.folder("INBOX");
  CHECK(inbox->uidnext() == 3);
  CHECK(inbox->count() == 2);
  REQUIRE(inbox->by_sequence(2));
  CHECK(inbox->by_sequence(2)->uid == 2);
  CHECK(inbox->by_sequence(2)->internal_date == 2000);
  CHECK(inbox->by_sequence(0) == nullptr);
  CHECK(inbox->by_sequence(3) == nullptr);
  REQUIRE(inbox->by_uid(1));
  CHECK(inbox->by_uid(1)->content == "Subject: a\r\n\r\none\r\n");
  CHECK(inbox->by_uid(1)->size() == 19);
  CHECK(inbox->by_uid(3) == nullptr);
  CHECK(inbox->sequence_of(2) == std::optional<std::size_t>(2));
  CHECK_FALSE(inbox->sequence_of(9));
  CHECK(inbox->unseen_count() == 1);
  CHECK(inbox->first_unseen() == std::optional<std::size_t>(1));
  CHECK(inbox->recent_count() == 2);
  CHECK(store.claim_recent("INBOX") == std::vector<std::uint32_t>{1, 2});
  CHECK(store.claim_recent("INBOX").empty());
  CHECK(inbox->recent_count() == 0);
}

TEST_CASE("mail store: flags", "[mail][mail_store]") {
  SECTION("FlagSet names and keywords") {
    FlagSet f;
    CHECK(f.empty());
    CHECK(f.add("\\flagged"));
    CHECK(f.add("\\SEEN"));
    CHECK(f.add("$Label1"));
    CHECK(f.add("$label1"));  // same keyword
    CHECK_FALSE(f.add("\\Recent"));
    CHECK_FALSE(f.add("\\Bogus"));
    CHECK(f.str() == "\\Seen \\Flagged $Label1");
    CHECK(f.contains("\\seen"));
    CHECK(f.contains("$LABEL1"));
    CHECK_FALSE(f.contains("\\Deleted"));
    CHECK(f.remove("$LABEL1"));
    CHECK(f.names() == std::vector<std::string>{"\\Seen", "\\Flagged"});
    CHECK(FlagSet::parse_system("\\draft") == SystemFlag::kDraft);
    CHECK_FALSE(FlagSet::parse_system("Seen"));
    CHECK(flags_of({"a", "b"}) == flags_of({"B", "A"}));
  }
  SECTION("set, add and remove on messages") {
    MailStore store;
    const auto uid = *store.append("INBOX", "x\r\n", 1);
    CHECK(store.add_flags("INBOX", uid, flags_of({"\\Seen", "\\Flagged"})));
    CHECK(store.folder("INBOX")->by_uid(uid)->flags.str() == "\\Seen \\Flagged");
    CHECK(store.remove_flags("INBOX", uid, flags_of({"\\Seen"})));
    CHECK(store.folder("INBOX")->by_uid(uid)->flags.str() == "\\Flagged");
    CHECK(store.set_flags("INBOX", uid, flags_of({"\\Answered", "Work"})));
    CHECK(store.folder("INBOX")->by_uid(uid)->flags.str() == "\\Answered Work");
    CHECK_FALSE(store.set_flags("INBOX", uid + 1, FlagSet{}));
    CHECK_FALSE(store.add_flags("Nowhere", uid, FlagSet{}));
  }
}

TEST_CASE("mail store: expunge and remove keep UIDs stable", "[mail][mail_store]") {
  MailStore store;
  for (int i = 0; i < 5; ++i) store.append("INBOX", "m" + std::to_string(i) + "\r\n", i);
  store.add_flags("INBOX", 2, flags_of({"\\Deleted"}));
  store.add_flags("INBOX", 4, flags_of({"\\Deleted"}));
  CHECK(store.expunge("INBOX") == std::vector<std::uint32_t>{2, 4});
  const auto* inbox = store.folder("INBOX");
  CHECK(inbox->count() == 3);
  CHECK(inbox->by_sequence(2)->uid == 3);
  CHECK(inbox->by_uid(3)->content == "m2\r\n");
  CHECK(store.expunge("INBOX").empty());
  CHECK(store.remove("INBOX", {1, 9}) == std::vector<std::uint32_t>{1});
  // UIDs are never reused.
  CHECK(*store.append("INBOX", "new\r\n", 9) == 6);
  CHECK(inbox->uidnext() == 7);
}

TEST_CASE("mail store: copy and quota", "[mail][mail_store]") {
  MailStore store;
  const auto uid = *store.append("INBOX", "0123456789", 5, flags_of({"\\Seen"}));
  const auto copied = store.copy("INBOX", uid, "Junk");
  REQUIRE(copied);
  CHECK(store.folder("Junk")->by_uid(*copied)->flags.str() == "\\Seen");
  CHECK(store.folder("Junk")->by_uid(*copied)->internal_date == 5);
  CHECK_FALSE(store.copy("INBOX", 99, "Junk"));
  CHECK_FALSE(store.copy("INBOX", uid, "Nowhere"));
  CHECK(store.bytes_used() == 20);
  store.set_quota_limit(25);
  CHECK(store.quota_allows(5));
  CHECK_FALSE(store.quota_allows(6));
  CHECK_FALSE(store.append("INBOX", "123456", 6));
  CHECK(store.append("INBOX", "12345", 6));
  store.set_quota_limit(std::nullopt);
  CHECK(store.append("INBOX", std::string(1000, 'x'), 7));
}

TEST_CASE("mail store: revisions and listeners", "[mail][mail_store]") {
  MailStore store;
  std::vector<std::string> heard;
  const auto id = store.add_listener([&](const StoreChange& c) {
    const char* kind = c.kind == StoreChange::Kind::kAppended  ? "appended"
                       : c.kind == StoreChange::Kind::kFlags   ? "flags"
                       : c.kind == StoreChange::Kind::kExpunged ? "expunged"
                                                                : "created";
    heard.push_back(std::string(kind) + " " + c.folder + " " + std::to_string(c.uid));
  });
  const auto r0 = store.revision();
  const auto f0 = store.folder("INBOX")->revision();
  store.append("INBOX", "a", 1);
  store.add_flags("INBOX", 1, flags_of({"\\Seen"}));
  store.add_flags("INBOX", 1, flags_of({"\\Seen"}));  // no change: nothing heard
  store.add_flags("INBOX", 1, flags_of({"\\Deleted"}));
  store.expunge("INBOX");
  store.create_folder("Archive", 9);
  CHECK(heard == std::vector<std::string>{"appended INBOX 1", "flags INBOX 1", "flags INBOX 1",
                                          "expunged INBOX 1", "created Archive 0"});
  CHECK(store.revision() == r0 + 5);
  CHECK(store.folder("INBOX")->revision() == f0 + 4);
  store.remove_listener(id);
  store.append("INBOX", "b", 2);
  CHECK(heard.size() == 5);
}
