#include "gui/demo_scenario.h"

#include <chrono>
#include <optional>

#include "sim/mail/address.h"
#include "sim/proto/smtp_client.h"
#include "sim/proto/smtp_server.h"

namespace mailhop::gui {
namespace {

constexpr const char* kClientHost = "smtp.gmail.example";
constexpr const char* kServerHost = "mx.yahoo.example";
constexpr const char* kFrom = "marcos@gmail.example";
constexpr const char* kTo = "julia@yahoo.example";

// Yahoo's MX knows one local mailbox: julia. Anyone else is "user unknown" (550 5.1.1).
class YahooMxPolicy : public proto::SmtpServerPolicy {
 public:
  proto::SmtpDecision on_rcpt_to(const proto::SmtpSessionInfo&, const mail::Envelope&,
                                 const mail::EnvelopeRecipient& rcpt) override {
    if (rcpt.mailbox.domain_lower() != "yahoo.example") {
      return proto::SmtpDecision::reject(550, "5.7.1", "Relaying denied");
    }
    if (rcpt.mailbox.local_part != "julia") {
      return proto::SmtpDecision::reject(550, "5.1.1", "User unknown");
    }
    return proto::SmtpDecision::accept();
  }
};

mail::Mailbox mailbox(const char* text) {
  std::optional<mail::Mailbox> parsed = mail::parse_mailbox(text);
  // The addresses above are constants known to be valid.
  return parsed ? *parsed : mail::Mailbox{};
}

}  // namespace

std::string demo_message_text() {
  // Header fields are ASCII (RFC 5322); the Spanish subject travels as an RFC 2047 encoded
  // word. The body is UTF-8, sent as 8-bit data because the server offers 8BITMIME.
  return "From: Marcos <marcos@gmail.example>\r\n"
         "To: Julia <julia@yahoo.example>\r\n"
         "Subject: =?UTF-8?Q?=C2=BFQuedamos_el_s=C3=A1bado=3F?=\r\n"
         "Date: Thu, 12 Mar 2026 18:42:07 +0100\r\n"
         "Message-ID: <20260312174207.4f2a9c@gmail.example>\r\n"
         "MIME-Version: 1.0\r\n"
         "Content-Type: text/plain; charset=UTF-8\r\n"
         "Content-Transfer-Encoding: 8bit\r\n"
         "\r\n"
         "Hola, Julia:\r\n"
         "\r\n"
         "¿Te viene bien quedar el sábado por la mañana? Llevo las fotos\r\n"
         "del viaje a Asturias.\r\n"
         "\r\n"
         "Un abrazo,\r\n"
         "Marcos\r\n";
}

ConversationRun run_demo_conversation() {
  ConversationRun run;
  run.info = {kClientHost, kServerHost, kFrom, kTo};

  proto::SmtpServerConfig server_config;
  server_config.hostname = kServerHost;
  server_config.greeting_text = "ESMTP mailhop";
  server_config.max_message_size = 10 * 1024 * 1024;
  server_config.tls = proto::TlsState::kAvailable;  // port 25 between MTAs: STARTTLS offered
  server_config.auth = proto::AuthAdvertise::kNever;

  proto::SmtpClientOptions client_options;
  client_options.helo_domain = kClientHost;
  client_options.tls = proto::ClientTls::kOpportunistic;
  client_options.tls_capable = true;
  // One command, one reply: easier to follow step by step than PIPELINING's batches.
  client_options.use_pipelining = false;

  proto::SmtpTransaction transaction;
  transaction.envelope.mail_from = mailbox(kFrom);
  transaction.envelope.rcpt_to.push_back(mail::EnvelopeRecipient{mailbox(kTo), {}, {}});
  transaction.envelope.body = mail::BodyType::k8BitMime;
  transaction.content = demo_message_text();

  YahooMxPolicy policy;
  proto::SmtpServer server(server_config, policy);
  proto::SmtpClient client(client_options, {transaction});

  proto::SmtpLoopbackConfig loopback;
  loopback.one_way_latency = std::chrono::milliseconds(25);
  run.result = proto::run_smtp_loopback(std::move(client), std::move(server), loopback);
  return run;
}

}  // namespace mailhop::gui
