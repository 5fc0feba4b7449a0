#pragma once
// Real TCP connections over SDL_net: a stream that reads with a time limit, and a listener.
// Errors are values with SDL_net's reason, never exceptions.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailhop::realnet {

// Starts SDL_net once for the process. False (with the reason) when it cannot.
bool start_network(std::string* error);

// This computer's IPv4 addresses other than 127.0.0.0/8, those of its interfaces that are up:
// where a client on another machine reaches a TcpListener (which listens on each of them and
// on 127.0.0.1; SDL_net listens on IPv4 only). Read from the system, no traffic sent.
std::vector<std::string> local_addresses();

class TcpStream {
 public:
  // Connects to `host` (a name or an address) on `port`.
  static std::optional<TcpStream> connect(const std::string& host, int port, std::string* error);

  TcpStream(TcpStream&& other) noexcept;
  TcpStream& operator=(TcpStream&& other) noexcept;
  TcpStream(const TcpStream&) = delete;
  TcpStream& operator=(const TcpStream&) = delete;
  ~TcpStream();

  enum class Read {
    kData,     // `bytes` holds what arrived
    kTimeout,  // nothing arrived within the wait
    kClosed,   // the peer closed the connection, or it failed
  };
  // Waits up to `wait` for bytes (replacing `bytes` with them).
  Read read(std::chrono::milliseconds wait, std::string* bytes);
  // Sends every byte; false when the connection is gone.
  bool write(std::string_view bytes);
  void close();
  bool is_open() const { return m_socket != nullptr; }
  // The peer's address, "127.0.0.1:2525".
  const std::string& peer() const { return m_peer; }

 private:
  friend class TcpListener;
  TcpStream(void* socket, std::string peer);

  void* m_socket = nullptr;  // TCPsocket
  void* m_set = nullptr;     // SDLNet_SocketSet holding it, to wait with a time limit
  std::string m_peer;
};

class TcpListener {
 public:
  // Listens on `port` of every interface (SDL_net cannot bind one address).
  static std::optional<TcpListener> listen(int port, std::string* error);

  TcpListener(TcpListener&& other) noexcept;
  TcpListener& operator=(TcpListener&& other) noexcept;
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;
  ~TcpListener();

  // The next client, when one connects within `wait`.
  std::optional<TcpStream> accept(std::chrono::milliseconds wait);
  int port() const { return m_port; }
  void close();  // stops listening

 private:
  TcpListener(void* socket, int port);

  void* m_socket = nullptr;
  void* m_set = nullptr;
  int m_port = 0;
};

}  // namespace mailhop::realnet
