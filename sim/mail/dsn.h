#pragma once
// Delivery Status Notifications (RFC 3464, RFC 3462 multipart/report): the bounce a server
// sends back to the envelope sender, with the null reverse-path.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mailhop::mail {

enum class DsnAction { kFailed, kDelayed, kDelivered, kRelayed, kExpanded };
std::string_view dsn_action_name(DsnAction action);

struct DsnRecipient {
  std::string final_recipient;                 // "julia@yahoo.example"
  std::optional<std::string> original_recipient;  // from ORCPT, "rfc822;julia@yahoo.example"
  DsnAction action = DsnAction::kFailed;
  std::string status;                          // RFC 3463 code, e.g. "5.1.1"
  std::optional<std::string> remote_mta;       // "mx.yahoo.example"
  std::optional<std::string> diagnostic;       // the SMTP reply, e.g. "550 5.1.1 User unknown"
  std::optional<std::int64_t> last_attempt_unix;
  std::optional<std::int64_t> will_retry_until_unix;  // for kDelayed
};

struct DsnReport {
  std::string reporting_mta;        // the host generating the report
  std::string original_sender;      // where the report goes (the envelope sender)
  std::optional<std::string> envid; // ENVID of the original message
  std::int64_t arrival_unix = 0;    // when the original arrived at the reporting MTA
  std::int64_t created_unix = 0;    // when the report is made
  std::string queue_id;             // the original's queue id at the reporting MTA
  std::vector<DsnRecipient> recipients;
  std::string original_message;     // CRLF text of the original (headers and body)
  bool headers_only = false;        // RET=HDRS: return only the header section
};

// The whole report as an RFC 5322 message (CRLF line ends), ready to be queued with the null
// sender "<>" to `original_sender`. Deterministic: the same report gives the same bytes.
std::string make_dsn(const DsnReport& report);

// The RFC 3463 status to report for a recipient: the enhanced code of the reply when there is
// one, else one derived from the basic reply code ("5.0.0" / "4.0.0"), as RFC 3463 suggests.
std::string dsn_status_for(int reply_code, const std::string& enhanced_code);

}  // namespace mailhop::mail
