#pragma once
// Mail retrieval in the world: the POP3 and IMAP servers of the mail hosts (their roles and
// ports), the mail programs on the devices that fetch with them, each keeping its own copy of
// what it fetched, and the webmail that reads the mailbox on the server directly.

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "sim/proto/imap_client.h"
#include "sim/scenario/scenario.h"
#include "sim/world/connection.h"
#include "sim/world/device.h"

namespace mailhop::world {

class World;
class ImapClientEndpoint;
struct NodeState;
struct MailboxState;

class Retrieval {
 public:
  explicit Retrieval(World& world);
  ~Retrieval();
  Retrieval(const Retrieval&) = delete;
  Retrieval& operator=(const Retrieval&) = delete;

  // Whether `server` accepts POP3 (roles pop3; ports pop3, pop3s) or IMAP (role imap; ports
  // imap, imaps) connections on `port`.
  bool listens(const NodeState& server, int port) const;
  // "POP3" or "IMAP" for a connection to `server` on `port`, or nullptr for another protocol.
  const char* protocol(const NodeState& server, int port) const;
  // The server end of a POP3 or IMAP connection; nullptr when `port` is not one of them.
  // Without `tls_possible` (a real client outside), STLS and STARTTLS are not offered.
  std::unique_ptr<Endpoint> make_server(Connection& conn, NodeState& server, int port,
                                        bool tls_possible = true);

  // A script step: fetch, mark read, delete or idle on a device or in a webmail.
  void run(const scenario::FetchAction& action);

  // What `node` shows for `account` (any case); nullptr when it never opened the account.
  const DeviceMailbox* device(const std::string& node, const std::string& account) const;
  const std::map<std::pair<std::string, std::string>, DeviceMailbox>& devices() const {
    return m_devices;
  }

 private:
  DeviceMailbox& device_for(const std::string& node, const std::string& account,
                            DeviceAccess access);
  void fetch_pop3(const scenario::Account& account, const std::string& node);
  struct ImapRun;
  void imap_session(const scenario::Account& account, const scenario::FetchAction& action);
  void imap_event(ImapRun& run, ImapClientEndpoint& endpoint, const proto::ImapClientEvent& event,
                  core::SimTime now);
  void webmail(const scenario::Account& account, const scenario::FetchAction& action);
  void on_device(const scenario::FetchAction& action, DeviceMailbox& device);
  // The device's message a mark_read/delete step means; nullptr (and a note) when none.
  DeviceMessage* pick(DeviceMailbox& device, const scenario::FetchAction& action);
  void failed(DeviceMailbox& device, const std::string& what, const std::string& why);
  void note(const std::string& node, const std::string& text);

  World& m_world;
  std::map<std::pair<std::string, std::string>, DeviceMailbox> m_devices;
  std::set<std::string> m_pop3_locks;  // maildrops (addresses) in a POP3 session
};

}  // namespace mailhop::world
