#pragma once
// Test support for the IMAP server engine (sim/proto/imap_server.h): fake accounts with fixed
// mail stores, canonical event texts and the transcript adapter.
//
// Accounts: julia:secret (INBOX with the three messages below, UIDVALIDITY 1000), ana:x (an
// empty store), pedro:pw (right password, but the store cannot be opened).
//
// julia's INBOX: UID 1 (\Seen, "Hola"), UID 2 ("Lunch?"), UID 4 ("Offers"; UID 3 was
// removed), none \Recent; UIDNEXT 5. Sent and Junk are empty.
//
// Transcript directives (tests/data/imap/server_*.txt):
//   ! server hostname=mail.example tls=none|available|active login=always|tls_only
//            autologout=30m max_line=8192 max_literal=1048576
//   ! deliver at=60s subject=News   a message for julia's INBOX is appended when time reaches
//            `at` (on the tick after "@"); the adapter then calls mailbox_changed() and reports
//            "delivered uid=N". Several "! deliver" lines may appear: at=,subject= pairs are
//            numbered at1/subject1, at2/subject2, ...

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/mail/mail_store.h"
#include "sim/proto/imap_server.h"
#include "tests/support/transcript.h"

namespace mailhop::testing {

// The contents of julia's messages, by UID.
std::string imap_fixture_message(std::uint32_t uid);
// A store with julia's messages.
std::unique_ptr<mail::MailStore> make_julia_store();
// A small message with this subject (for deliveries).
std::string imap_delivery_message(std::string_view subject);

class FakeImapAccounts : public proto::ImapAccounts {
 public:
  FakeImapAccounts();
  bool check_credentials(std::string_view user, std::string_view password) override;
  mail::MailStore* mail_store(std::string_view user) override;

  std::map<std::string, std::string> passwords{{"julia", "secret"}, {"ana", "x"}, {"pedro", "pw"}};
  std::map<std::string, std::unique_ptr<mail::MailStore>> stores;
};

// Canonical text of an event (commands and responses are rendered too, for debugging).
std::string describe(const proto::ImapServerEvent& event);

class ImapServerTranscriptEngine : public TranscriptEngine {
 public:
  ImapServerTranscriptEngine(proto::ImapServerConfig config,
                             std::vector<std::pair<proto::Micros, std::string>> deliveries);

  void open(proto::Micros now) override;
  void receive(std::string_view bytes, proto::Micros now) override;
  void tls_established(proto::Micros now) override;
  void peer_closed(proto::Micros now) override;
  void tick(proto::Micros now) override;
  std::string take_output() override;
  std::vector<std::string> take_events() override;
  std::optional<proto::Micros> next_deadline() const override;
  bool wants_close() const override;
  bool tls_pending() const override { return m_tls_pending; }

  proto::ImapServer& server() { return m_server; }
  FakeImapAccounts& accounts() { return *m_accounts; }

 private:
  std::unique_ptr<FakeImapAccounts> m_accounts;
  proto::ImapServer m_server;
  std::vector<std::pair<proto::Micros, std::string>> m_deliveries;
  std::vector<std::string> m_own_events;
  std::string m_output;
  std::size_t m_checked = 0;
  bool m_tls_pending = false;
};

EngineFactory imap_server_factory();

}  // namespace mailhop::testing
