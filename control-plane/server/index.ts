export { runServer } from './main.ts';
export type { RunServerOptions } from './main.ts';
export { loadServerConfig, resolveServerConfig, ConfigError, serverDefaults, serverSettingKeys } from './config.ts';
export type { ServerConfig, ServerSettings, ServerSettingKey } from './config.ts';
export { ServerMetrics, startMetricsServer } from './metrics.ts';
export type { MetricsServer } from './metrics.ts';
export { runStatus, collectStatus, formatStatus } from './status.ts';
export type { StatusReport, EndpointStatus, MemberStatus, UnreachableMember } from './status.ts';
