import type { Http2Server, ServerHttp2Session } from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { buildGateway, type GatewayApp, type GatewayDeps } from "./app.js";
import { createH2Server, defaultH2Limits } from "./http/h2-server.js";

export interface RunningGateway {
  readonly app: GatewayApp;
  readonly httpPort: number;
  /** Undefined when this process serves no OtpService (façade role). */
  readonly grpcPort?: number;
  /**
   * Stops taking new connections, lets in-flight requests finish for up to the grace period,
   * then cuts what is left and releases the carrier's connections.
   */
  close(): Promise<void>;
}

/** Builds the gateway and starts its listeners (HTTP/1.1 on httpPort, cleartext HTTP/2 on grpcPort). */
export async function startGateway(deps: GatewayDeps): Promise<RunningGateway> {
  const { config, logger } = deps;
  const app = await buildGateway(deps);
  // A store that is down at start-up does not stop the gateway: every use of it fails open or
  // closed as configured, and /readyz shows it.
  if (!(await app.stores.ready(2_000))) logger.warn("shared store not reachable at start-up; continuing");
  await app.http.listen({ host: config.host, port: config.httpPort });
  const httpPort = (app.http.server.address() as AddressInfo).port;

  let grpc: { server: Http2Server; sessions: Set<ServerHttp2Session>; sockets: Set<Socket>; port: number } | undefined;
  if (app.grpcHandler) {
    const limits = {
      ...defaultH2Limits,
      maxSessions: config.maxConnections,
      requestTimeoutMs: config.requestTimeoutMs,
    };
    const server = createH2Server(app.grpcHandler, limits, logger.child({ component: "grpc-listener" }));
    const sessions = new Set<ServerHttp2Session>();
    server.on("session", (session) => {
      sessions.add(session);
      session.once("close", () => sessions.delete(session));
    });
    // The sockets too: a session the client has begun to close lets go of its socket, which a
    // destroy of the session then no longer reaches, and which holds the listener open.
    const sockets = new Set<Socket>();
    server.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.grpcPort, config.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    grpc = { server, sessions, sockets, port: (server.address() as AddressInfo).port };
  }

  app.readiness.listening = true;
  logger.info({ httpPort, grpcPort: grpc?.port, role: config.role, carrier: app.carrier?.name }, "gateway listening");

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      app.readiness.shuttingDown = true;
      const deadline = setTimeout(() => {
        logger.warn("shutdown grace period over; closing remaining connections");
        app.http.server.closeAllConnections();
        for (const session of grpc?.sessions ?? []) session.destroy();
        for (const socket of grpc?.sockets ?? []) socket.destroy();
      }, config.shutdownGraceMs);
      deadline.unref();
      // A notice period before the listeners close: every answer meanwhile says
      // `Connection: close` and /readyz says 503, so keep-alive clients in mid-use leave on
      // their own instead of finding their socket closed under a request already sent.
      await sleep(noticeMs(config.shutdownGraceMs));
      const grpcClosed = grpc
        ? new Promise<void>((resolve) => {
            grpc.server.close(() => resolve());
            // GOAWAY: clients open no new streams here, running ones complete.
            for (const session of grpc.sessions) session.close();
          })
        : Promise.resolve();
      // Cut connections do not always let a listener report itself closed at once; a second
      // after the grace period shutdown goes on regardless, so SIGTERM always ends the process.
      let lastResort: NodeJS.Timeout | undefined;
      const cutOff = new Promise<void>((resolve) => {
        lastResort = setTimeout(() => {
          logger.warn("listeners still open a second after the grace period; stopping anyway");
          resolve();
        }, config.shutdownGraceMs + 1_000);
        lastResort.unref();
      });
      await Promise.race([Promise.all([app.http.close(), grpcClosed]), cutOff]);
      clearTimeout(lastResort);
      clearTimeout(deadline);
      await app.carrier?.close();
      await app.stores.close();
      app.readiness.listening = false;
    })();
    return closing;
  };

  return { app, httpPort, grpcPort: grpc?.port, close };
}

/** A quarter of the grace period, at most a second: enough for clients in mid-use to move on. */
const noticeMs = (graceMs: number) => Math.min(1_000, Math.floor(graceMs / 4));
