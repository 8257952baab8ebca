"""A TCP proxy on loopback that can be cut, for faking a database outage.

`cut()` in "refuse" mode closes the listening socket (new connections are refused) and resets
every open connection, which is what a restarted or failed-over PostgreSQL looks like to the
application. In "hang" mode the proxy keeps accepting but forwards nothing until `restore()`,
like a network partition: the application sees timeouts instead of errors.

The proxy runs its own asyncio loop in a daemon thread; every public method is thread-safe."""

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any

CHUNK = 64 * 1024


class CuttableProxy:
    def __init__(self, upstream: tuple[str, int], listen: tuple[str, int], mode: str = "refuse"):
        if mode not in ("refuse", "hang"):
            raise ValueError(f"unknown mode {mode!r}")
        self.upstream = upstream
        self.listen = listen
        self.mode = mode
        self.accepted = 0
        self.killed = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="proxy")
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._flowing = asyncio.Event()

    # Public, thread-safe.

    def start(self) -> None:
        self._thread.start()
        self._call(self._open())

    def cut(self) -> None:
        self._call(self._cut())

    def restore(self) -> None:
        self._call(self._restore())

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._call(self._close_all())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    @property
    def open_connections(self) -> int:
        return len(self._writers) // 2

    # Inside the loop.

    def _call(self, coroutine: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    async def _open(self) -> None:
        self._flowing.set()
        self._server = await asyncio.start_server(
            self._handle, self.listen[0], self.listen[1], reuse_address=True
        )

    async def _cut(self) -> None:
        if self.mode == "hang":
            self._flowing.clear()
            return
        await self._close_all()

    async def _restore(self) -> None:
        if self.mode == "hang":
            self._flowing.set()
        elif self._server is None:
            await self._open()

    async def _close_all(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            self.killed += 1
            writer.transport.abort()  # a reset, not a polite close
        self._writers.clear()

    async def _handle(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ):
        self.accepted += 1
        await self._flowing.wait()  # a hung network: the client waits for its own timeout
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_writer.transport.abort()
            return
        self._writers.update((client_writer, up_writer))
        await asyncio.gather(
            self._pipe(client_reader, up_writer), self._pipe(up_reader, client_writer)
        )
        for writer in (client_writer, up_writer):
            self._writers.discard(writer)
            writer.transport.abort()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(CHUNK):
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            # One side ended: end the other, so neither waits forever.
            writer.transport.abort()
