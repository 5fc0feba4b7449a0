// Which events the event log shows: categories, node, text search, and the incremental index.

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "gui/event_filter.h"
#include "gui/session.h"

namespace {

using mailhop::core::TraceEvent;
using mailhop::core::TraceKind;
using mailhop::gui::category_of;
using mailhop::gui::EventCategory;
using mailhop::gui::EventFilter;
using mailhop::gui::FilteredEvents;

TraceEvent event(TraceKind kind, const char* node, const char* peer, const char* protocol,
                 const char* text, const char* message = "") {
  TraceEvent e;
  e.kind = kind;
  e.node = node;
  e.peer = peer;
  e.protocol = protocol;
  e.text = text;
  e.message = message;
  return e;
}

const std::vector<TraceEvent> kEvents = {
    event(TraceKind::kConnectionOpened, "laptop", "smtp.a", "SMTP", "smtp.a[192.0.2.1]:587"),
    event(TraceKind::kClientLine, "laptop", "smtp.a", "SMTP", "EHLO laptop"),
    event(TraceKind::kServerLine, "smtp.a", "laptop", "SMTP", "250 smtp.a"),
    event(TraceKind::kDnsQuery, "smtp.a", "", "", "b.example MX", "Q1"),
    event(TraceKind::kQueued, "smtp.a", "", "", "1 recipient(s)", "Q1"),
    event(TraceKind::kClientLine, "phone", "imap.b", "IMAP", "a1 LOGIN julia x"),
    event(TraceKind::kServerLine, "pop.b", "pc", "POP3", "+OK ready"),
    event(TraceKind::kFaultStarted, "mx.b", "", "", "host_down"),
    event(TraceKind::kDeferred, "smtp.a", "", "", "julia@b.example: timeout", "Q1"),
    event(TraceKind::kNote, "", "", "", "Marcos presses Send"),
};

std::vector<std::size_t> accepted(const EventFilter& filter) {
  FilteredEvents f;
  f.update(kEvents, filter);
  return f.indices();
}

}  // namespace

TEST_CASE("events fall into the log's categories", "[gui][log]") {
  CHECK(category_of(kEvents[0]) == EventCategory::kSmtp);
  CHECK(category_of(kEvents[2]) == EventCategory::kSmtp);
  CHECK(category_of(kEvents[3]) == EventCategory::kDns);
  CHECK(category_of(kEvents[4]) == EventCategory::kMail);
  CHECK(category_of(kEvents[5]) == EventCategory::kImap);
  CHECK(category_of(kEvents[6]) == EventCategory::kPop3);
  CHECK(category_of(kEvents[7]) == EventCategory::kFault);
  CHECK(category_of(kEvents[8]) == EventCategory::kMail);
  CHECK(category_of(kEvents[9]) == EventCategory::kNote);
}

TEST_CASE("the log filters by category, node and text", "[gui][log]") {
  EventFilter all;
  CHECK(accepted(all).size() == kEvents.size());

  EventFilter smtp_only;
  for (EventCategory c : mailhop::gui::kAllEventCategories) smtp_only.set(c, false);
  smtp_only.set(EventCategory::kSmtp, true);
  CHECK(accepted(smtp_only) == std::vector<std::size_t>{0, 1, 2});

  EventFilter no_mail;
  no_mail.set(EventCategory::kMail, false);
  no_mail.set(EventCategory::kFault, false);
  CHECK(accepted(no_mail) == std::vector<std::size_t>{0, 1, 2, 3, 5, 6, 9});

  // A node matches as the node or as the peer.
  EventFilter laptop;
  laptop.node = "laptop";
  CHECK(accepted(laptop) == std::vector<std::size_t>{0, 1, 2});
  EventFilter server;
  server.node = "smtp.a";
  CHECK(accepted(server) == std::vector<std::size_t>{0, 1, 2, 3, 4, 8});

  // Search: any case, in the text, the hosts, the queue id, the kind.
  EventFilter ehlo;
  ehlo.search = "ehlo";
  CHECK(accepted(ehlo) == std::vector<std::size_t>{1});
  EventFilter queue_id;
  queue_id.search = "q1";
  CHECK(accepted(queue_id) == std::vector<std::size_t>{3, 4, 8});
  EventFilter kind;
  kind.search = "Deferred";
  CHECK(accepted(kind) == std::vector<std::size_t>{8});
  EventFilter host;
  host.search = "IMAP.B";
  CHECK(accepted(host) == std::vector<std::size_t>{5});

  // Everything together.
  EventFilter both = server;
  both.search = "recipient";
  CHECK(accepted(both) == std::vector<std::size_t>{4});
  EventFilter none;
  none.search = "no such text anywhere";
  CHECK(accepted(none).empty());
}

TEST_CASE("the filtered index follows a growing run and restarts on a step back",
          "[gui][log]") {
  std::string error;
  auto session = mailhop::gui::Session::open(
      std::filesystem::path(MAILHOP_ASSETS_DIR) / ".." / "scenarios" / "01-journey.json", &error);
  REQUIRE(session);
  EventFilter filter;
  filter.search = "EHLO";
  FilteredEvents index;
  session->seek_events(20);
  index.update(session->events(), filter);
  const std::size_t early = index.size();
  session->seek_time(session->end());
  CHECK(index.update(session->events(), filter));
  // Two EHLOs per connection (before and after STARTTLS), two connections.
  CHECK(index.size() == 4);
  CHECK(index.size() > early);
  for (std::size_t i : index.indices()) {
    CHECK(session->events()[i].text.find("EHLO") != std::string::npos);
  }
  // Back to the note, the opening and the greeting: no EHLO yet.
  session->seek_events(3);
  index.update(session->events(), filter);
  CHECK(index.size() == 0);
  filter.search.clear();
  index.update(session->events(), filter);
  CHECK(index.size() == 3);
  CHECK(mailhop::gui::nodes_in(session->events()).size() >= 2);
}
