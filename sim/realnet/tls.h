#pragma once
// TLS for real connections, with OpenSSL over memory BIOs: the session never touches a socket.
// Ciphertext from the network goes in with feed(); what must go out comes from
// take_ciphertext(); plaintext is written with write() and read with read(). The handshake
// runs as bytes arrive. Like the engines, it does no I/O of its own.

#include <memory>
#include <string>
#include <string_view>

namespace mailhop::realnet {

// A server's certificate and key: made on the spot, self-signed for `hostname`, localhost,
// 127.0.0.1 and ::1 (a classroom tool has no certificate authority; clients are told to accept
// it, as swaks does and curl -k does, or to trust this certificate: certificate_pem()).
class TlsIdentity {
 public:
  static std::shared_ptr<const TlsIdentity> self_signed(const std::string& hostname,
                                                        std::string* error);
  // The certificate in PEM, for a client to trust (curl --cacert, mailhop send --ca).
  std::string certificate_pem() const;
  // Its SHA-256 fingerprint ("3F:A2:...", 32 octets), which a mail program shows before it
  // accepts a certificate it cannot check: the class compares it with the one projected.
  std::string fingerprint_sha256() const;
  ~TlsIdentity();
  TlsIdentity(const TlsIdentity&) = delete;
  TlsIdentity& operator=(const TlsIdentity&) = delete;
  void* key() const { return m_key; }    // EVP_PKEY*
  void* cert() const { return m_cert; }  // X509*

 private:
  TlsIdentity(void* key, void* cert) : m_key(key), m_cert(cert) {}
  void* m_key;
  void* m_cert;
};

// How a client checks the server's certificate: not at all (the default: classroom servers
// have self-signed ones), or against the system's certificate authorities, or against those
// in `ca_file` (PEM), with the server's name (or address) checked too.
struct TlsVerify {
  bool enabled = false;
  std::string ca_file;  // empty: the system's
};

class TlsSession {
 public:
  // A client for `server_name` (sent as SNI unless it is an address). With `verify.enabled`
  // a certificate that does not check out fails the handshake, the error saying why.
  static std::unique_ptr<TlsSession> client(const std::string& server_name, std::string* error,
                                            const TlsVerify& verify = {});
  static std::unique_ptr<TlsSession> server(std::shared_ptr<const TlsIdentity> identity,
                                            std::string* error);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // Ciphertext that arrived; runs the handshake or decrypts. False when TLS failed (error()).
  bool feed(std::string_view ciphertext);
  // Ciphertext to send now (handshake messages, encrypted data, the close alert).
  std::string take_ciphertext();
  // Plaintext decrypted so far.
  std::string read();
  // Plaintext to encrypt (after the handshake; before it, kept until it is done).
  void write(std::string_view plaintext);
  void close();  // sends close_notify

  bool established() const { return m_established; }
  bool failed() const { return !m_error.empty(); }
  const std::string& error() const { return m_error; }
  // "TLSv1.3 TLS_AES_256_GCM_SHA384", once established.
  std::string description() const;

 private:
  TlsSession() = default;
  static std::unique_ptr<TlsSession> make(bool client, std::shared_ptr<const TlsIdentity> identity,
                                          std::string* error);
  void advance();

  void* m_ctx = nullptr;  // SSL_CTX*
  void* m_ssl = nullptr;  // SSL*
  bool m_established = false;
  bool m_verifying = false;  // a client that checks the server's certificate
  std::string m_pending;  // plaintext written before the handshake finished
  std::string m_plain;    // decrypted, not yet read
  std::string m_error;
  std::shared_ptr<const TlsIdentity> m_identity;
};

}  // namespace mailhop::realnet
