/** The report's only styling, inline: the page must open anywhere, offline, with no fetch. */
export const reportStyles = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d232b; margin: 24px auto; max-width: 1000px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #dde2e8; padding-bottom: 4px; }
.muted { color: #5d6875; } .verdict { display: inline-block; padding: 2px 10px; border-radius: 10px; font-weight: 600; color: #fff; }
.passed { background: #1f8a4c; } .failed { background: #c0392b; } .inconclusive { background: #8a6d1f; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; } th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e6e9ee; vertical-align: top; }
th { background: #f4f6f8; font-weight: 600; } td.number { font-variant-numeric: tabular-nums; white-space: nowrap; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; } .figure { border: 1px solid #dde2e8; border-radius: 6px; padding: 8px 12px; min-width: 150px; }
.figure b { display: block; font-size: 20px; } svg { display: block; margin: 4px 0 14px; }
svg text { font: 11px system-ui, sans-serif; fill: #3a444f; } .tick { fill: #5d6875; } .axis { stroke: #9aa4af; stroke-width: 1; }
.row-label { fill: #3a444f; } .plot { fill: none; stroke: #dde2e8; }
.fault { fill: #f2b134; fill-opacity: 0.22; } .fault-label { fill: #8a5a00; font-weight: 600; }
.leader-change { stroke: #6b3fa0; stroke-width: 1.5; stroke-dasharray: 4 3; } .leader-label { fill: #6b3fa0; font-weight: 600; }
.up { fill: #2ecc71; } .down { fill: #e74c3c; } .failure { fill: #c0392b; }
.latency { fill: none; stroke: #2c6fbb; stroke-width: 1.5; } .latency-dot { fill: #2c6fbb; }
.replica-leader { fill: #1f4e8c; } .replica-follower { fill: #9cc2ec; } .replica-no-leader { fill: #f2b134; } .replica-unreachable { fill: #e74c3c; }
.pods-total { fill: none; stroke: #9aa4af; stroke-width: 1.5; } .pods-ready { fill: none; stroke: #1f8a4c; stroke-width: 2; }
.legend span { display: inline-block; width: 12px; height: 12px; vertical-align: -2px; margin: 0 4px 0 12px; border-radius: 2px; }
`;
