import { z } from 'zod'

// `?csp=strict`: the page as a host whose Content Security Policy forbids eval (no
// 'unsafe-eval') sets it up. zod compiles fast object parsers with `new Function` and probes for
// it the first time a schema is built (Tessera's own schemas are built when its modules load);
// under such a policy the probe fails safely but the browser reports it as a violation. zod's
// `jitless` setting skips both, so it is set here, in a module main.tsx imports first: before
// any zod schema exists. The designer itself needs nothing: its forms never compile code.
if (new URLSearchParams(window.location.search).get('csp') === 'strict') z.config({ jitless: true })
