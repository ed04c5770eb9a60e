import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  readServer,
  serverVariables
} from "./chunk-WXIWIYKH.js";
import "./chunk-ALWFP5YV.js";
export {
  readServer,
  serverVariables
};
//# sourceMappingURL=server-U6JD5FYJ.js.map
