// Committed stand-in for the gitignored, build-generated `next-env.d.ts`, so `tsc -p web/tsconfig.json`
// passes on a fresh checkout (CSS module and image declarations come from `next`).
/// <reference types="next" />
/// <reference types="next/image-types/global" />
