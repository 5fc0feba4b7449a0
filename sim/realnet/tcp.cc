#include "sim/realnet/tcp.h"

#include <SDL_net.h>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <utility>

namespace mailhop::realnet {

namespace {

TCPsocket as_socket(void* p) {
  return static_cast<TCPsocket>(p);
}
SDLNet_SocketSet as_set(void* p) {
  return static_cast<SDLNet_SocketSet>(p);
}

Uint32 to_ms(std::chrono::milliseconds wait) {
  const auto ms = std::clamp<std::chrono::milliseconds::rep>(wait.count(), 0,
                                                             std::numeric_limits<Uint32>::max());
  return static_cast<Uint32>(ms);
}

std::string address_text(const IPaddress& ip) {
  const Uint32 host = SDLNet_Read32(&ip.host);
  const Uint16 port = SDLNet_Read16(&ip.port);
  return std::to_string(host >> 24) + "." + std::to_string((host >> 16) & 0xFF) + "." +
         std::to_string((host >> 8) & 0xFF) + "." + std::to_string(host & 0xFF) + ":" +
         std::to_string(port);
}

// A set holding one socket, to wait on it with a time limit.
void* set_of(void* socket) {
  SDLNet_SocketSet set = SDLNet_AllocSocketSet(1);
  if (set != nullptr) SDLNet_TCP_AddSocket(set, as_socket(socket));
  return set;
}

// True when `socket` is ready within `wait`.
bool ready(void* set, void* socket, std::chrono::milliseconds wait) {
  if (set == nullptr) return true;  // without a set, block (SDL_net could not allocate one)
  const int n = SDLNet_CheckSockets(as_set(set), to_ms(wait));
  return n > 0 && SDLNet_SocketReady(as_socket(socket));
}

}  // namespace

std::vector<std::string> local_addresses() {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (const ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    if ((a->ifa_flags & IFF_UP) == 0 || (a->ifa_flags & IFF_LOOPBACK) != 0) continue;
    sockaddr_in in{};
    std::memcpy(&in, a->ifa_addr, sizeof in);
    if ((ntohl(in.sin_addr.s_addr) >> 24) == 127) continue;
    std::array<char, INET_ADDRSTRLEN> text{};
    if (inet_ntop(AF_INET, &in.sin_addr, text.data(), text.size()) == nullptr) continue;
    std::string address(text.data());
    if (std::find(out.begin(), out.end(), address) == out.end()) out.push_back(std::move(address));
  }
  freeifaddrs(list);
  return out;
}

bool start_network(std::string* error) {
  static const bool started = SDLNet_Init() == 0;
  static const std::string why = started ? std::string() : std::string(SDLNet_GetError());
  if (!started && error) *error = "SDL_net: " + why;
  return started;
}

// --- stream -------------------------------------------------------------------------------

TcpStream::TcpStream(void* socket, std::string peer)
    : m_socket(socket), m_set(set_of(socket)), m_peer(std::move(peer)) {}

TcpStream::TcpStream(TcpStream&& other) noexcept
    : m_socket(std::exchange(other.m_socket, nullptr)),
      m_set(std::exchange(other.m_set, nullptr)),
      m_peer(std::move(other.m_peer)) {}

TcpStream& TcpStream::operator=(TcpStream&& other) noexcept {
  if (this != &other) {
    close();
    m_socket = std::exchange(other.m_socket, nullptr);
    m_set = std::exchange(other.m_set, nullptr);
    m_peer = std::move(other.m_peer);
  }
  return *this;
}

TcpStream::~TcpStream() {
  close();
}

std::optional<TcpStream> TcpStream::connect(const std::string& host, int port, std::string* error) {
  if (!start_network(error)) return std::nullopt;
  if (port < 1 || port > 65535) {
    if (error) *error = "port " + std::to_string(port) + " is not from 1 to 65535";
    return std::nullopt;
  }
  IPaddress ip;
  if (SDLNet_ResolveHost(&ip, host.c_str(), static_cast<Uint16>(port)) != 0) {
    if (error) *error = "cannot resolve " + host + ": " + SDLNet_GetError();
    return std::nullopt;
  }
  TCPsocket socket = SDLNet_TCP_Open(&ip);
  if (socket == nullptr) {
    if (error) *error = "cannot connect to " + address_text(ip) + ": " + SDLNet_GetError();
    return std::nullopt;
  }
  return TcpStream(socket, address_text(ip));
}

TcpStream::Read TcpStream::read(std::chrono::milliseconds wait, std::string* bytes) {
  bytes->clear();
  if (m_socket == nullptr) return Read::kClosed;
  if (!ready(m_set, m_socket, wait)) return Read::kTimeout;
  std::array<char, 16384> buffer;
  const int n =
      SDLNet_TCP_Recv(as_socket(m_socket), buffer.data(), static_cast<int>(buffer.size()));
  if (n <= 0) return Read::kClosed;
  bytes->assign(buffer.data(), static_cast<std::size_t>(n));
  return Read::kData;
}

bool TcpStream::write(std::string_view bytes) {
  if (m_socket == nullptr) return false;
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const std::size_t chunk = std::min<std::size_t>(bytes.size() - sent, 1 << 20);
    const int n =
        SDLNet_TCP_Send(as_socket(m_socket), bytes.data() + sent, static_cast<int>(chunk));
    if (n < static_cast<int>(chunk)) return false;
    sent += chunk;
  }
  return true;
}

void TcpStream::close() {
  if (m_set != nullptr) SDLNet_FreeSocketSet(as_set(m_set));
  if (m_socket != nullptr) SDLNet_TCP_Close(as_socket(m_socket));
  m_set = nullptr;
  m_socket = nullptr;
}

// --- listener -----------------------------------------------------------------------------

TcpListener::TcpListener(void* socket, int port)
    : m_socket(socket), m_set(set_of(socket)), m_port(port) {}

TcpListener::TcpListener(TcpListener&& other) noexcept
    : m_socket(std::exchange(other.m_socket, nullptr)),
      m_set(std::exchange(other.m_set, nullptr)),
      m_port(other.m_port) {}

TcpListener& TcpListener::operator=(TcpListener&& other) noexcept {
  if (this != &other) {
    close();
    m_socket = std::exchange(other.m_socket, nullptr);
    m_set = std::exchange(other.m_set, nullptr);
    m_port = other.m_port;
  }
  return *this;
}

TcpListener::~TcpListener() {
  close();
}

void TcpListener::close() {
  if (m_set != nullptr) SDLNet_FreeSocketSet(as_set(m_set));
  if (m_socket != nullptr) SDLNet_TCP_Close(as_socket(m_socket));
  m_set = nullptr;
  m_socket = nullptr;
}

std::optional<TcpListener> TcpListener::listen(int port, std::string* error) {
  if (!start_network(error)) return std::nullopt;
  if (port < 1 || port > 65535) {
    if (error) *error = "port " + std::to_string(port) + " is not from 1 to 65535";
    return std::nullopt;
  }
  IPaddress ip;
  if (SDLNet_ResolveHost(&ip, nullptr, static_cast<Uint16>(port)) != 0) {
    if (error) *error = std::string("cannot listen: ") + SDLNet_GetError();
    return std::nullopt;
  }
  TCPsocket socket = SDLNet_TCP_Open(&ip);
  if (socket == nullptr) {
    if (error) *error = "cannot listen on port " + std::to_string(port) + ": " + SDLNet_GetError();
    return std::nullopt;
  }
  return TcpListener(socket, port);
}

std::optional<TcpStream> TcpListener::accept(std::chrono::milliseconds wait) {
  if (m_socket == nullptr || !ready(m_set, m_socket, wait)) return std::nullopt;
  TCPsocket client = SDLNet_TCP_Accept(as_socket(m_socket));
  if (client == nullptr) return std::nullopt;
  const IPaddress* peer = SDLNet_TCP_GetPeerAddress(client);
  return TcpStream(client, peer ? address_text(*peer) : std::string("?"));
}

}  // namespace mailhop::realnet
