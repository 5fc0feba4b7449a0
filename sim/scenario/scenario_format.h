#pragma once
// Internal to mailhop_scenario: the names, keys and value syntax that loading (scenario_load.cc)
// and saving (scenario_save.cc) share. Not part of the library's interface.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sim/mail/ascii.h"
#include "sim/scenario/scenario.h"

namespace mailhop::scenario::detail {

// ordered_json keeps keys in file order (errors come out in the order the teacher wrote
// things) and in insertion order when saving (the documented order).
using Json = nlohmann::ordered_json;

// ---------------------------------------------------------------------------------------
// Names used in files
// ---------------------------------------------------------------------------------------

template <typename E>
struct Named {
  std::string_view name;
  E value;
};

inline constexpr Named<Role> kRoles[] = {
    {"mua", Role::kMua},   {"msa", Role::kMsa}, {"mta", Role::kMta},
    {"mx", Role::kMx},     {"mda", Role::kMda}, {"pop3", Role::kPop3},
    {"imap", Role::kImap}, {"dns", Role::kDns}, {"webmail", Role::kWebmail},
};

inline constexpr Named<TlsMode> kTlsModes[] = {
    {"none", TlsMode::kNone}, {"starttls", TlsMode::kStartTls}, {"implicit", TlsMode::kImplicit}};

inline constexpr Named<RetrievalProtocol> kRetrievals[] = {{"pop3", RetrievalProtocol::kPop3},
                                                           {"imap", RetrievalProtocol::kImap}};

inline constexpr Named<Pop3Mode> kPop3Modes[] = {
    {"download_and_delete", Pop3Mode::kDownloadAndDelete}, {"leave_copy", Pop3Mode::kLeaveCopy}};

inline constexpr Named<SpfMode> kSpfModes[] = {
    {"off", SpfMode::kOff}, {"mark", SpfMode::kMark}, {"reject", SpfMode::kReject}};

inline constexpr Named<DkimMode> kDkimModes[] = {{"off", DkimMode::kOff},
                                                 {"mark", DkimMode::kMark}};

inline constexpr Named<DmarcMode> kDmarcModes[] = {
    {"off", DmarcMode::kOff}, {"mark", DmarcMode::kMark}, {"enforce", DmarcMode::kEnforce}};

inline constexpr Named<FetchOperation> kFetchOperations[] = {
    {"fetch", FetchOperation::kFetch},
    {"mark_read", FetchOperation::kMarkRead},
    {"delete", FetchOperation::kDelete},
    {"idle", FetchOperation::kIdle}};

inline constexpr Named<FaultKind> kFaultKinds[] = {
    {"host_down", FaultKind::kHostDown},       {"host_crash", FaultKind::kHostCrash},
    {"link_down", FaultKind::kLinkDown},       {"link_slow", FaultKind::kLinkSlow},
    {"link_lossy", FaultKind::kLinkLossy},     {"dns_failure", FaultKind::kDnsFailure},
    {"temp_refusal", FaultKind::kTempRefusal}, {"greylisting", FaultKind::kGreylisting},
    {"mailbox_full", FaultKind::kMailboxFull}, {"unknown_user", FaultKind::kUnknownUser},
    {"too_large", FaultKind::kTooLarge},       {"relay_denied", FaultKind::kRelayDenied},
    {"auth_failure", FaultKind::kAuthFailure}, {"rate_limit", FaultKind::kRateLimit},
};

// Values of the faults whose value is one of a few words.
enum class DnsFailure { kServFail, kNxDomain, kTimeout };
inline constexpr Named<DnsFailure> kDnsFailures[] = {{"servfail", DnsFailure::kServFail},
                                                     {"nxdomain", DnsFailure::kNxDomain},
                                                     {"timeout", DnsFailure::kTimeout}};
enum class Refusal { kGreeting, kRcpt };
inline constexpr Named<Refusal> kRefusals[] = {{"greeting", Refusal::kGreeting},
                                               {"rcpt", Refusal::kRcpt}};

template <typename E, std::size_t N>
std::string_view name_of(const Named<E> (&table)[N], E value) {
  for (const Named<E>& n : table) {
    if (n.value == value) return n.name;
  }
  return "?";
}

template <typename E, std::size_t N>
std::optional<E> value_of(const Named<E> (&table)[N], std::string_view name) {
  for (const Named<E>& n : table) {
    if (n.name == name) return n.value;
  }
  return std::nullopt;
}

// "a, b, c".
std::string join(std::span<const std::string_view> items);

template <typename E, std::size_t N>
std::string names_of(const Named<E> (&table)[N]) {
  std::vector<std::string_view> names;
  for (const Named<E>& n : table) names.push_back(n.name);
  return join(names);
}

// ---------------------------------------------------------------------------------------
// Keys of each kind of object, in the documented order (the schema's "$defs" names)
// ---------------------------------------------------------------------------------------

using Keys = std::span<const std::string_view>;

inline constexpr std::string_view kTopKeys[] = {
    "$schema", "title", "description", "seed",   "until",   "start", "nodes",
    "links",   "dns",   "users",       "script", "traffic", "expect"};
inline constexpr std::string_view kTextKeys[] = {"es", "en"};
inline constexpr std::string_view kNodeKeys[] = {"name",       "roles",      "address",  "domains",
                                                 "relay_host", "relay_port", "ports",    "policy",
                                                 "queue",      "accounts",   "dkim",
                                                 "position",   "label"};
inline constexpr std::string_view kDkimKeys[] = {"domain", "selector", "private_key"};
inline constexpr std::string_view kPortsKeys[] = {"smtp",  "submission", "smtps", "pop3",
                                                  "pop3s", "imap",       "imaps"};
inline constexpr std::string_view kPolicyKeys[] = {
    "max_message_size",  "max_recipients",      "tls",
    "auth_requires_tls", "relay_clients",       "greylisting",
    "greylist_delay",    "rate_limit_per_hour", "add_message_id",
    "dnsbl",             "spam_words",          "spf",
    "dkim",              "dmarc"};
inline constexpr std::string_view kQueueKeys[] = {"min_backoff", "max_backoff", "lifetime",
                                                  "bounce_lifetime", "queue_run_delay"};
inline constexpr std::string_view kAccountKeys[] = {
    "address",         "user",           "password",      "submission_host",
    "submission_port", "submission_tls", "use_auth",      "retrieval",
    "retrieval_host",  "retrieval_port", "retrieval_tls", "pop3_mode"};
inline constexpr std::string_view kPositionKeys[] = {"x", "y"};
inline constexpr std::string_view kLinkKeys[] = {"a",    "b", "latency", "bandwidth_bps",
                                                 "loss", "up"};
inline constexpr std::string_view kDnsKeys[] = {"name", "type", "preference", "value"};
inline constexpr std::string_view kUserKeys[] = {"address", "password", "host", "quota"};
inline constexpr std::string_view kStepKeys[] = {"at",    "send",           "fault", "clear_fault",
                                                 "fetch", "client_session", "note"};
inline constexpr std::string_view kActionKeys[] = {"send", "fault", "clear_fault", "fetch",
                                                   "client_session"};
inline constexpr std::string_view kSendKeys[] = {"from_node", "from", "to",          "cc",
                                                 "subject",   "body", "header_from", "headers"};
inline constexpr std::string_view kFaultKeys[] = {"kind", "target", "value", "duration"};
inline constexpr std::string_view kClearFaultKeys[] = {"kind", "target"};
inline constexpr std::string_view kFetchKeys[] = {"node",    "account", "operation",
                                                  "subject", "index",   "duration"};
inline constexpr std::string_view kClientSessionKeys[] = {"client", "server", "port", "input"};
inline constexpr std::string_view kClientInputKeys[] = {"after", "send", "send_base64", "tls",
                                                        "close"};
inline constexpr std::string_view kExpectKeys[] = {"mailboxes", "bounces", "bounce_count",
                                                   "replies",   "queues",  "devices"};
inline constexpr std::string_view kMailboxExpectKeys[] = {"address", "count", "subjects", "seen",
                                                          "unseen"};
inline constexpr std::string_view kDeviceExpectKeys[] = {"node", "account", "count", "subjects",
                                                         "seen", "unseen",  "error"};
inline constexpr std::string_view kBounceExpectKeys[] = {"to", "recipient", "status"};
inline constexpr std::string_view kReplyExpectKeys[] = {"code", "enhanced", "server", "min_count"};
inline constexpr std::string_view kQueueExpectKeys[] = {"node", "count"};
inline constexpr std::string_view kTrafficKeys[] = {"messages", "start", "interval", "body_size"};

// ---------------------------------------------------------------------------------------
// Text and value syntax
// ---------------------------------------------------------------------------------------

using mail::ascii_lower;
bool iequals(std::string_view a, std::string_view b);
// A string as JSON writes it, quotes and escapes included.
std::string quote(std::string_view s);

// A host name: an RFC 5321 domain (letters, digits, hyphens; no address literal).
bool is_host_name(std::string_view s);
// A DNS owner name: like a host name, but labels may hold '_' ("_dmarc.yahoo.example").
bool is_dns_name(std::string_view s);
// IPv4 dotted quad and IPv6 text form, with the grammar of RFC 5321 4.1.3.
bool is_ipv4(std::string_view s);
bool is_ipv6(std::string_view s);
// A mail address key for comparisons: the local part as written, the domain lower-cased.
std::string address_key(std::string_view address);
// RFC 3463 enhanced status code: class "." subject "." detail.
bool is_enhanced_code(std::string_view s);
// RFC 5322 field name: printable US-ASCII except ':'.
bool is_field_name(std::string_view s);
bool has_line_break(std::string_view s);

// "2026-11-18T09:20:00Z" (RFC 3339 without fractions; "Z" or a "+hh:mm"/"-hh:mm" offset) to
// seconds since 1970-01-01T00:00:00Z, and back (always with "Z").
std::optional<std::int64_t> parse_date_time(std::string_view s);
std::string format_date_time(std::int64_t unix_seconds);

// A number as the files write it: integral values without a fraction.
Json number_json(double d);

}  // namespace mailhop::scenario::detail
