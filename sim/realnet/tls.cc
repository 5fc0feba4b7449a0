#include "sim/realnet/tls.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>

namespace mailhop::realnet {

namespace {

SSL* as_ssl(void* p) {
  return static_cast<SSL*>(p);
}

std::string openssl_error(const char* what) {
  std::string out = what;
  const unsigned long code = ERR_get_error();
  if (code != 0) {
    std::array<char, 256> buffer{};
    ERR_error_string_n(code, buffer.data(), buffer.size());
    out += ": ";
    out += buffer.data();
  }
  ERR_clear_error();
  return out;
}

}  // namespace

// --- identity -------------------------------------------------------------------------------

std::shared_ptr<const TlsIdentity> TlsIdentity::self_signed(const std::string& hostname,
                                                            std::string* error) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) {
    if (error) *error = openssl_error("cannot make a key");
    return nullptr;
  }
  X509* cert = X509_new();
  const auto fail = [&](const char* what) -> std::shared_ptr<const TlsIdentity> {
    if (error) *error = openssl_error(what);
    X509_free(cert);
    EVP_PKEY_free(key);
    return nullptr;
  };
  if (cert == nullptr) return fail("cannot make a certificate");
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60L * 60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 60L * 60 * 24 * 365);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("mailhop classroom"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(hostname.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  // Names a client may check: the host name, and loopback by name and address.
  const std::string alt = "DNS:" + hostname + ",DNS:localhost,IP:127.0.0.1,IP:::1";
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, alt.c_str());
  if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) {
    X509_EXTENSION_free(ext);
    return fail("cannot name the certificate's hosts");
  }
  X509_EXTENSION_free(ext);
  if (X509_sign(cert, key, EVP_sha256()) == 0) return fail("cannot sign the certificate");
  return std::shared_ptr<const TlsIdentity>(new TlsIdentity(key, cert));
}

std::string TlsIdentity::certificate_pem() const {
  BIO* out = BIO_new(BIO_s_mem());
  if (out == nullptr) return {};
  PEM_write_bio_X509(out, static_cast<X509*>(m_cert));
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  std::string pem(data, size > 0 ? static_cast<std::size_t>(size) : 0);
  BIO_free(out);
  return pem;
}

std::string TlsIdentity::fingerprint_sha256() const {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (X509_digest(static_cast<X509*>(m_cert), EVP_sha256(), digest.data(), &size) != 1) return {};
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    if (i > 0) out += ':';
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0x0F];
  }
  return out;
}

TlsIdentity::~TlsIdentity() {
  X509_free(static_cast<X509*>(m_cert));
  EVP_PKEY_free(static_cast<EVP_PKEY*>(m_key));
}

// --- session --------------------------------------------------------------------------------

// A session with its own context (`client`: TLS_client_method, else server), TLS 1.2 and up,
// memory BIOs; `identity` (a server's) is set on the context before the session is made.
std::unique_ptr<TlsSession> TlsSession::make(bool client,
                                             std::shared_ptr<const TlsIdentity> identity,
                                             std::string* error) {
  std::unique_ptr<TlsSession> s(new TlsSession());
  const auto fail = [&](const char* what) -> std::unique_ptr<TlsSession> {
    if (error) *error = openssl_error(what);
    return nullptr;
  };
  SSL_CTX* ctx = SSL_CTX_new(client ? TLS_client_method() : TLS_server_method());
  if (ctx == nullptr) return fail("TLS");
  s->m_ctx = ctx;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  s->m_identity = std::move(identity);
  if (s->m_identity &&
      (SSL_CTX_use_certificate(ctx, static_cast<X509*>(s->m_identity->cert())) != 1 ||
       SSL_CTX_use_PrivateKey(ctx, static_cast<EVP_PKEY*>(s->m_identity->key())) != 1)) {
    return fail("TLS certificate");
  }
  // A client does not check the certificate: classroom servers have self-signed ones.
  if (client) SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  SSL* ssl = SSL_new(ctx);
  if (ssl == nullptr) return fail("TLS");
  s->m_ssl = ssl;
  SSL_set_bio(ssl, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
  return s;
}

std::unique_ptr<TlsSession> TlsSession::client(const std::string& server_name, std::string* error,
                                               const TlsVerify& verify) {
  std::unique_ptr<TlsSession> s = make(true, nullptr, error);
  if (!s) return nullptr;
  SSL* ssl = as_ssl(s->m_ssl);
  // An IPv4 or IPv6 address: checked against the certificate's addresses, and not sent as
  // SNI (RFC 6066 section 3 allows names only).
  unsigned char ip[16];
  const bool address = inet_pton(AF_INET, server_name.c_str(), ip) == 1 ||
                       inet_pton(AF_INET6, server_name.c_str(), ip) == 1;
  if (verify.enabled) {
    SSL_CTX* ctx = static_cast<SSL_CTX*>(s->m_ctx);
    const bool loaded = verify.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx) == 1
                                               : SSL_CTX_load_verify_locations(
                                                     ctx, verify.ca_file.c_str(), nullptr) == 1;
    if (!loaded) {
      const std::string what =
          "cannot read the certificate authorities in " +
          (verify.ca_file.empty() ? std::string("the system") : verify.ca_file);
      if (error) *error = openssl_error(what.c_str());
      return nullptr;
    }
    SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (address ? X509_VERIFY_PARAM_set1_ip_asc(param, server_name.c_str()) != 1
                : X509_VERIFY_PARAM_set1_host(param, server_name.c_str(), 0) != 1) {
      if (error) *error = openssl_error("cannot check the server's name");
      return nullptr;
    }
    s->m_verifying = true;
  }
  if (!server_name.empty() && !address) {
    // SSL_set_tlsext_host_name, without the macro's C cast.
    SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(server_name.c_str()));
  }
  SSL_set_connect_state(ssl);
  s->advance();  // the ClientHello
  return s;
}

std::unique_ptr<TlsSession> TlsSession::server(std::shared_ptr<const TlsIdentity> identity,
                                               std::string* error) {
  std::unique_ptr<TlsSession> s = make(false, std::move(identity), error);
  if (!s) return nullptr;
  SSL_set_accept_state(as_ssl(s->m_ssl));
  return s;
}

TlsSession::~TlsSession() {
  SSL_free(as_ssl(m_ssl));  // frees its BIOs too
  SSL_CTX_free(static_cast<SSL_CTX*>(m_ctx));
}

void TlsSession::advance() {
  SSL* ssl = as_ssl(m_ssl);
  if (!m_error.empty()) return;
  if (!m_established) {
    const int r = SSL_do_handshake(ssl);
    if (r == 1) {
      m_established = true;
    } else {
      const int e = SSL_get_error(ssl, r);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
        m_error = openssl_error("TLS handshake failed");
        // Why the certificate was not trusted, in words ("self-signed certificate").
        if (const long v = SSL_get_verify_result(ssl); m_verifying && v != X509_V_OK) {
          m_error += " (" + std::string(X509_verify_cert_error_string(v)) + ")";
        }
        return;
      }
    }
  }
  if (!m_established) return;
  if (!m_pending.empty()) {
    const std::string pending = std::move(m_pending);
    m_pending.clear();
    write(pending);
  }
  std::array<char, 16384> buffer;
  for (;;) {
    const int n = SSL_read(ssl, buffer.data(), static_cast<int>(buffer.size()));
    if (n > 0) {
      m_plain.append(buffer.data(), static_cast<std::size_t>(n));
      continue;
    }
    const int e = SSL_get_error(ssl, n);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_ZERO_RETURN) {
      m_error = openssl_error("TLS failed");
    }
    break;
  }
}

bool TlsSession::feed(std::string_view ciphertext) {
  if (!m_error.empty()) return false;
  BIO* in = SSL_get_rbio(as_ssl(m_ssl));
  if (!ciphertext.empty()) BIO_write(in, ciphertext.data(), static_cast<int>(ciphertext.size()));
  advance();
  return m_error.empty();
}

std::string TlsSession::take_ciphertext() {
  BIO* out = SSL_get_wbio(as_ssl(m_ssl));
  std::string bytes;
  std::array<char, 16384> buffer;
  for (int n; (n = BIO_read(out, buffer.data(), static_cast<int>(buffer.size()))) > 0;) {
    bytes.append(buffer.data(), static_cast<std::size_t>(n));
  }
  return bytes;
}

std::string TlsSession::read() {
  std::string out = std::move(m_plain);
  m_plain.clear();
  return out;
}

void TlsSession::write(std::string_view plaintext) {
  if (plaintext.empty() || !m_error.empty()) return;
  if (!m_established) {
    m_pending.append(plaintext);
    return;
  }
  const int n = SSL_write(as_ssl(m_ssl), plaintext.data(), static_cast<int>(plaintext.size()));
  if (n <= 0) m_error = openssl_error("TLS write failed");
}

void TlsSession::close() {
  if (m_established && m_error.empty()) SSL_shutdown(as_ssl(m_ssl));
}

std::string TlsSession::description() const {
  if (!m_established) return {};
  SSL* ssl = as_ssl(m_ssl);
  return std::string(SSL_get_version(ssl)) + " " + SSL_get_cipher_name(ssl);
}

}  // namespace mailhop::realnet
