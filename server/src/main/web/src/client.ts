// The generated pfgm.v1.Generator client over gRPC-Web, and what its failures mean to a person.
import { Code, ConnectError, createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { Generator } from "../gen/pfgm/v1/generator_pb.js";

export type GeneratorClient = Client<typeof Generator>;

/** A client for the server that served this page; each call carries the token typed at call time. */
export function generatorClient(token: () => string): GeneratorClient {
  const bearer: Interceptor = (next) => (req) => {
    const t = token().trim();
    if (t !== "") {
      req.header.set("authorization", `Bearer ${t}`);
    }
    return next(req);
  };
  // The page is served at "/" of the server (or under a proxy's prefix): its calls go next to it.
  const baseUrl = new URL(".", location.href).href.replace(/\/$/, "");
  return createClient(Generator, createGrpcWebTransport({ baseUrl, useBinaryFormat: true, interceptors: [bearer] }));
}

/** A failure as shown: the form field it belongs to (null: the page's banner), and the text. */
export interface Problem {
  readonly field: string | null;
  readonly text: string;
}

/** GenerateRequest fields that the server names at the start of an INVALID_ARGUMENT message. */
const FIELDS = ["model", "num_samples", "seed", "steps", "solver", "sigma_min", "sigma_max", "rho",
  "class_label", "preview_every", "step_content", "delivery", "rtol", "atol", "noise_injection"];

/** gRPC status names, as the server's documentation spells them. */
function statusName(code: Code): string {
  return Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

export function problem(e: unknown): Problem {
  const err = ConnectError.from(e);
  const message = err.rawMessage;
  const status = statusName(err.code);
  switch (err.code) {
    case Code.InvalidArgument: {
      const first = /^[a-z_]+/.exec(message)?.[0] ?? "";
      return { field: FIELDS.includes(first) ? first : null, text: `${status}: ${message}` };
    }
    case Code.NotFound:
      return { field: "model", text: `${status}: ${message}` };
    case Code.Unauthenticated:
    case Code.PermissionDenied:
      return { field: "token", text: `${status}: ${message}` };
    case Code.Unknown:
    case Code.Unavailable:
    case Code.Internal:
      if (/fetch|network|connection|protocol|missing trailer|premature/i.test(message)) {
        return { field: null, text: `stream broken: the server cannot be reached or closed the stream `
          + `(${status}: ${message})` };
      }
      return { field: null, text: `${status}: ${message}` };
    default:
      return { field: null, text: `${status}: ${message}` };
  }
}
