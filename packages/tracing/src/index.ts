export { GEN_AI, SWITCHYARD } from './attributes';
export { TRACING_OFF, tracingConfigFromEnv, tracingConfigOf, tracingEnvSchema, tracingEnvShape, type TracingConfig, type TracingEnv } from './config';
export { registerTracing, type RegisterOptions, type TracingHandle } from './register';
