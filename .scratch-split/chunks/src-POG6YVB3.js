import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  require_src
} from "./chunk-DBBQA72X.js";
import "./chunk-HHU7YVDQ.js";
import "./chunk-7AVYRONE.js";
import "./chunk-ALWFP5YV.js";
export default require_src();
//# sourceMappingURL=src-POG6YVB3.js.map
