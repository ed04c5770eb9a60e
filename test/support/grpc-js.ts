import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

/**
 * A @grpc/grpc-js client of OtpService built from the .proto at run time, as a team using none
 * of our code would build it (field names as in the .proto, enums as their names).
 */
export function grpcJsOtpClient(grpcUrl: string): grpc.Client & Record<string, any> {
  const definition = protoLoader.loadSync("proto/otp/v1/otp.proto", {
    includeDirs: ["proto"],
    keepCase: true,
    enums: String,
    defaults: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as any;
  return new loaded.otp.v1.OtpService(grpcUrl.replace("http://", ""), grpc.credentials.createInsecure());
}
