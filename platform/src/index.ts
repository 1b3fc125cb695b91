export { startPlatform, API_AUDIENCE, CONSOLE_CLIENT_ID } from './platform';
export type { RunningPlatform, StartOptions } from './platform';
export { parsePlatformEnv, COMPONENTS, REPO_ROOT } from './config';
export type { PlatformEnv, Component } from './config';
export { listen } from './listen';
