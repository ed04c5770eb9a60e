// The client side of OtpService: how the façade (or any process) calls it, in process or remote.
export { createBearerInterceptor } from "./bearer.js";
export { createOtpClient, type OtpClient, type OtpClientTarget } from "./client.js";
export { createInProcessTransport } from "./in-process-transport.js";
