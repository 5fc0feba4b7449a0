#include "sim/mail/dsn.h"

#include "sim/mail/received.h"

namespace mailhop::mail {

std::string_view dsn_action_name(DsnAction action) {
  switch (action) {
    case DsnAction::kFailed: return "failed";
    case DsnAction::kDelayed: return "delayed";
    case DsnAction::kDelivered: return "delivered";
    case DsnAction::kRelayed: return "relayed";
    case DsnAction::kExpanded: return "expanded";
  }
  return "failed";
}

std::string dsn_status_for(int reply_code, const std::string& enhanced_code) {
  if (!enhanced_code.empty()) return enhanced_code;
  if (reply_code >= 500) return "5.0.0";
  if (reply_code >= 400) return "4.0.0";
  return "2.0.0";
}

namespace {

// The header section of a CRLF message: everything before the first empty line.
std::string header_section(const std::string& message) {
  const std::size_t end = message.find("\r\n\r\n");
  if (end == std::string::npos) return message;
  return message.substr(0, end + 2);
}

bool any_failed(const DsnReport& r) {
  for (const DsnRecipient& rcpt : r.recipients)
    if (rcpt.action == DsnAction::kFailed) return true;
  return false;
}

}  // namespace

std::string make_dsn(const DsnReport& r) {
  const std::string boundary = r.queue_id + "." + std::to_string(r.created_unix) + "/" + r.reporting_mta;
  const bool failed = any_failed(r);
  std::string out;
  out.reserve(r.original_message.size() + 2048);
  auto line = [&out](const std::string& text) {
    out += text;
    out += "\r\n";
  };

  line("From: Mail Delivery System <MAILER-DAEMON@" + r.reporting_mta + ">");
  line("To: <" + r.original_sender + ">");
  line(std::string("Subject: ") +
       (failed ? "Undelivered Mail Returned to Sender" : "Delayed Mail (still being retried)"));
  line("Date: " + format_rfc5322_date(r.created_unix));
  line("Message-ID: <" + std::to_string(r.created_unix) + "." + r.queue_id + "@" +
       r.reporting_mta + ">");
  line("Auto-Submitted: auto-replied");  // RFC 3834: never answer this automatically
  line("MIME-Version: 1.0");
  line("Content-Type: multipart/report; report-type=delivery-status;");
  line("\tboundary=\"" + boundary + "\"");
  line("");
  line("This is a MIME-encapsulated message.");
  line("");

  // Part 1: for people.
  line("--" + boundary);
  line("Content-Description: Notification");
  line("Content-Type: text/plain; charset=us-ascii");
  line("");
  line("This is the mail system at host " + r.reporting_mta + ".");
  line("");
  if (failed) {
    line("I'm sorry to have to inform you that your message could not");
    line("be delivered to one or more recipients. It's attached below.");
  } else {
    line("Your message could not be delivered yet to one or more recipients.");
    line("The mail system will keep trying; you do not need to send it again.");
  }
  line("");
  for (const DsnRecipient& rcpt : r.recipients) {
    std::string text = "<" + rcpt.final_recipient + ">: ";
    if (rcpt.remote_mta) text += "host " + *rcpt.remote_mta + " said: ";
    text += rcpt.diagnostic.value_or(std::string(dsn_action_name(rcpt.action)));
    line(text);
  }
  line("");

  // Part 2: for programs (RFC 3464 section 2).
  line("--" + boundary);
  line("Content-Description: Delivery report");
  line("Content-Type: message/delivery-status");
  line("");
  line("Reporting-MTA: dns; " + r.reporting_mta);
  if (r.envid) line("Original-Envelope-Id: " + *r.envid);
  if (!r.queue_id.empty()) line("X-Queue-ID: " + r.queue_id);
  line("Arrival-Date: " + format_rfc5322_date(r.arrival_unix));
  for (const DsnRecipient& rcpt : r.recipients) {
    line("");
    line("Final-Recipient: rfc822; " + rcpt.final_recipient);
    if (rcpt.original_recipient) line("Original-Recipient: " + *rcpt.original_recipient);
    line("Action: " + std::string(dsn_action_name(rcpt.action)));
    line("Status: " + rcpt.status);
    if (rcpt.remote_mta) line("Remote-MTA: dns; " + *rcpt.remote_mta);
    if (rcpt.diagnostic) line("Diagnostic-Code: smtp; " + *rcpt.diagnostic);
    if (rcpt.last_attempt_unix) line("Last-Attempt-Date: " + format_rfc5322_date(*rcpt.last_attempt_unix));
    if (rcpt.will_retry_until_unix)
      line("Will-Retry-Until: " + format_rfc5322_date(*rcpt.will_retry_until_unix));
  }
  line("");

  // Part 3: the original message, or its header section (RET=HDRS).
  line("--" + boundary);
  if (r.headers_only) {
    line("Content-Description: Undelivered Message Headers");
    line("Content-Type: text/rfc822-headers");
    line("");
    out += header_section(r.original_message);
  } else {
    line("Content-Description: Undelivered Message");
    line("Content-Type: message/rfc822");
    line("");
    out += r.original_message;
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  line("");
  line("--" + boundary + "--");
  return out;
}

}  // namespace mailhop::mail
