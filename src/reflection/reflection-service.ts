import type { DescFile, MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import type {
  ServerReflectionRequest,
  ServerReflectionResponseSchema,
} from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { createDescriptorIndex } from "./descriptors.js";

type Answer = Omit<MessageInitShape<typeof ServerReflectionResponseSchema>, "originalRequest">;
type Question = Omit<ServerReflectionRequest, "$typeName" | "$unknown">;

/**
 * `grpc.reflection.v1` and `v1alpha` (the same messages in two packages) over the given files:
 * lists `services` and answers for their files. Extensions are not served; a question about
 * one gets NOT_FOUND, as an unknown file or symbol does.
 */
export function createReflectionAnswers(options: {
  readonly services: readonly string[];
  readonly files: readonly DescFile[];
}) {
  const index = createDescriptorIndex(options.files);
  const error = (code: Code, errorMessage: string): Answer["messageResponse"] => ({
    case: "errorResponse",
    value: { errorCode: code, errorMessage },
  });
  const notFound = (what: string) => error(Code.NotFound, `${what} not found`);
  const files = (bytes: Uint8Array[] | undefined, what: string): Answer["messageResponse"] =>
    bytes ? { case: "fileDescriptorResponse", value: { fileDescriptorProto: bytes } } : notFound(what);

  function answer(question: Question): Answer {
    const request = question.messageRequest;
    const validHost = question.host;
    switch (request.case) {
      case "listServices":
        return {
          validHost,
          messageResponse: {
            case: "listServicesResponse",
            value: { service: options.services.map((name) => ({ name })) },
          },
        };
      case "fileByFilename":
        return { validHost, messageResponse: files(index.fileByName(request.value), `file ${request.value}`) };
      case "fileContainingSymbol":
        return {
          validHost,
          messageResponse: files(index.fileContainingSymbol(request.value), `symbol ${request.value}`),
        };
      case undefined:
        return { validHost, messageResponse: error(Code.InvalidArgument, "the request asks nothing") };
      default:
        return { validHost, messageResponse: error(Code.NotFound, "extensions are not served") };
    }
  }

  /** The handler for either package: one answer per question, in order. */
  return async function* serverReflectionInfo(questions: AsyncIterable<Question>) {
    for await (const question of questions) yield { ...answer(question), originalRequest: question };
  };
}
