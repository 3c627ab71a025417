"""The emulator's servers: Amazon over HTTPS, its push channel, the control API.

One HTTPS port serves every Amazon host name; requests are told apart by
their Host header (aiohttp's domain sub-applications), since clients reach
the port through a resolver that maps all of Amazon's names to it. The push
channel is HTTP/2, which aiohttp does not serve: it has a port of its own
(push_server).
"""

from __future__ import annotations

import socket
import ssl

from aiohttp import web
from aiohttp.log import access_logger

from .account import Account
from .alexa_api import AlexaApi
from .certificates import TlsFiles
from .control_api import ControlApi
from .faults import Faults
from .household import Household
from .privacy import Privacy
from .push_server import ALPN_PROTOCOL, PushServer
from .sign_in import SignIn
from .state import AmazonState, Hosts
from .tokens import Tokens

_ACCESS_LOG_FORMAT = '%{Host}i "%r" %s'


def _listening_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


class AmazonEmulator:
    """An emulated Amazon account, served until stopped."""

    def __init__(self, state: AmazonState, tls: TlsFiles) -> None:
        """Serve `state` with the certificate in `tls`."""
        self.state = state
        self.faults = Faults()
        self._tls = tls
        self._runners: list[web.AppRunner] = []
        self._push: PushServer | None = None
        self.port = 0
        self.push_port = 0
        self.control_port = 0

    @classmethod
    def with_devices(
        cls,
        tls: TlsFiles,
        *,
        echos: int,
        plugs: int,
        reboot_seconds: float = 10.0,
        boot_seconds: float = 5.0,
    ) -> AmazonEmulator:
        """An account of `echos` Echos (with some voice history) and `plugs` plugs."""
        account = Account.with_devices(
            echos, plugs, reboot_seconds=reboot_seconds, boot_seconds=boot_seconds
        )
        state = AmazonState(account=account)
        for echo in account.echos.values():
            state.history.seed(echo)
        return cls(state, tls)

    def _amazon_application(self) -> web.Application:
        app = web.Application(middlewares=[self.faults.middleware])
        hosts = Hosts(
            www=web.Application(),
            api=web.Application(),
            alexa=web.Application(),
            alexa_api=web.Application(),
            comms=web.Application(),
        )
        sign_in = SignIn(self.state)
        for part in (
            sign_in,
            Tokens(self.state, sign_in.redeem),
            AlexaApi(self.state),
            Privacy(self.state),
            Household(self.state),
        ):
            part.register(hosts)
        app.add_domain("www.amazon.com", hosts.www)
        app.add_domain("api.amazon.com", hosts.api)
        app.add_domain("alexa.amazon.com", hosts.alexa)
        app.add_domain("api.amazonalexa.com", hosts.alexa_api)
        app.add_domain("alexa-comms-mobile-service.amazon.com", hosts.comms)
        return app

    async def _serve(
        self,
        app: web.Application,
        sock: socket.socket,
        ssl_context: ssl.SSLContext | None = None,
        *,
        access_log: bool,
    ) -> int:
        runner = web.AppRunner(
            app,
            access_log=access_logger if access_log else None,
            access_log_format=_ACCESS_LOG_FORMAT,
        )
        await runner.setup()
        self._runners.append(runner)
        await web.SockSite(runner, sock, ssl_context=ssl_context).start()
        port: int = sock.getsockname()[1]
        return port

    def _server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self._tls.certificate, self._tls.private_key)
        return context

    async def start(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        control_port: int = 0,
        push_port: int = 0,
        *,
        access_log: bool = False,
    ) -> None:
        """Listen on `port` (Amazon), `push_port` and `control_port`.

        0 picks a free port.
        """
        self.port = await self._serve(
            self._amazon_application(),
            _listening_socket(host, port),
            self._server_context(),
            access_log=access_log,
        )
        push_context = self._server_context()
        push_context.set_alpn_protocols([ALPN_PROTOCOL])
        self._push = PushServer(self.state, self.faults, access_log=access_log)
        self.push_port = await self._push.start(
            _listening_socket(host, push_port), push_context
        )
        self.control_port = await self._serve(
            ControlApi(self.state, self.faults, self._push).application(),
            _listening_socket(host, control_port),
            access_log=False,
        )

    async def stop(self) -> None:
        """Stop serving; requests left hanging end at once."""
        self.faults.stopping.set()
        if self._push is not None:
            await self._push.stop()
            self._push = None
        for runner in reversed(self._runners):
            await runner.cleanup()
        self._runners.clear()
