import { createRegistry, type DescFile, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";

/**
 * What reflection can tell about the files it was given: built from the descriptors buf
 * compiled into gen/ (never from .proto text at run time), each file with all it imports.
 */
export function createDescriptorIndex(files: readonly DescFile[]) {
  const registry = createRegistry(...files);
  const byName = new Map<string, DescFile>();
  const add = (file: DescFile) => {
    if (byName.has(file.proto.name)) return;
    byName.set(file.proto.name, file);
    for (const dep of file.dependencies) add(dep);
  };
  for (const file of files) add(file);
  // Serialized once: a handful of files, asked about again and again.
  const serialized = new Map([...byName.values()].map((f) => [f, toBinary(FileDescriptorProtoSchema, f.proto)]));
  const bytesOf = (file: DescFile) => serialized.get(file)!;

  /** The file and every file it imports, transitively, the file first. */
  function withImports(file: DescFile): Uint8Array[] {
    const seen = new Set<DescFile>();
    const visit = (f: DescFile) => {
      if (seen.has(f)) return;
      seen.add(f);
      for (const dep of f.dependencies) visit(dep);
    };
    visit(file);
    return [...seen].map(bytesOf);
  }

  /** The file defining a fully qualified name: a type, a service, or a service's method. */
  function fileOfSymbol(symbol: string): DescFile | undefined {
    const found = registry.get(symbol);
    if (found && "file" in found) return found.file;
    const dot = symbol.lastIndexOf(".");
    const service = dot > 0 ? registry.getService(symbol.slice(0, dot)) : undefined;
    return service?.methods.some((m) => m.name === symbol.slice(dot + 1)) ? service.file : undefined;
  }

  return {
    fileByName: (name: string) => {
      const file = byName.get(name);
      return file && withImports(file);
    },
    fileContainingSymbol: (symbol: string) => {
      const file = fileOfSymbol(symbol);
      return file && withImports(file);
    },
  };
}
