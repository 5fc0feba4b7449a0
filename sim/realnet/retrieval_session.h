#pragma once
// POP3 and IMAP clients on real TCP connections: the simulation's engines, driven as
// run_smtp_client drives SMTP (TLS after STLS or STARTTLS, or from the first byte on 995 and
// 993; the engines' options say which).

#include "sim/proto/imap_client.h"
#include "sim/proto/pop3_client.h"
#include "sim/realnet/smtp_session.h"
#include "sim/realnet/tcp.h"

namespace mailhop::realnet {

// `sink` sees each command, each status or response line, a note when TLS is up, and, for
// each message retrieved, a line of kind kMessageBody with its size in `octets`.
SessionEnd run_pop3_client(TcpStream& stream, proto::Pop3Client& engine, const LineSink& sink,
                           const ClientTlsStart& tls = {});
// The IMAP engine's job runs as given in its options (say Sync, then Logout); the messages it
// fetches are passed to `on_message`.
SessionEnd run_imap_client(
    TcpStream& stream, proto::ImapClient& engine, const LineSink& sink,
    const ClientTlsStart& tls = {},
    const std::function<void(const proto::imap_client_event::MessageFetched&)>& on_message = {});

}  // namespace mailhop::realnet
