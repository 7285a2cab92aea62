/**
 * Warden's CloudWatch dashboard (infra/constructs/dashboard.ts), named from the install's prefix (one hub
 * per account), and its console address: the stack outputs it, the README links it, and every Slack alert
 * links it in its context line.
 */
export const dashboardNameOf = (prefix: string): string => `${prefix}-operations`;

export const dashboardUrlOf = (region: string, dashboardName: string): string =>
  `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${encodeURIComponent(dashboardName)}`;
