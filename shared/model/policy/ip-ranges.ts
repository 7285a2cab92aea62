import { BlockList, isIP } from 'node:net';

/** An IPv4 or IPv6 address with a prefix length (`10.0.0.0/16`, `2001:db8::/32`); a bare address is a /32 or /128. */
interface IpRange {
  readonly family: 'ipv4' | 'ipv6';
  readonly address: string;
  readonly prefix: number;
}

type ParsedRange = { readonly range: IpRange } | { readonly problem: string };

function parseIpRange(text: string): ParsedRange {
  const [address = '', prefixText, ...extra] = text.split('/');
  const version = isIP(address);
  if (version === 0 || extra.length > 0) return { problem: `"${text}" is not an IP address or CIDR block` };
  const longest = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText))
    return { problem: `"${text}" has an invalid prefix length` };
  const prefix = prefixText === undefined ? longest : Number(prefixText);
  if (prefix > longest) return { problem: `"${text}" has a prefix longer than /${longest}` };
  return { range: { family: version === 4 ? 'ipv4' : 'ipv6', address, prefix } };
}

/** Why the text is not a CIDR block (`address/prefix`, IPv4 or IPv6), or undefined when it is. */
export function cidrProblem(text: string): string | undefined {
  if (!text.includes('/')) return `"${text}" has no prefix length (write ${text}/32 for one IPv4 address)`;
  const parsed = parseIpRange(text);
  return 'problem' in parsed ? parsed.problem : undefined;
}

/**
 * Whether every address the range (a CIDR block or a bare address, as `aws:SourceIp` takes them) covers
 * lies within one of the trusted CIDR blocks. Two CIDR blocks are either nested or disjoint, so the range
 * is inside a trusted block when it is no wider and one of its addresses falls in the block.
 */
export function isWithinTrustedRanges(value: string, trusted: readonly string[]): boolean {
  const parsed = parseIpRange(value);
  if (!('range' in parsed)) return false;
  const { range } = parsed;
  return trusted.some((text) => {
    const block = parseIpRange(text);
    if (!('range' in block) || block.range.family !== range.family || block.range.prefix > range.prefix)
      return false;
    const list = new BlockList();
    list.addSubnet(block.range.address, block.range.prefix, block.range.family);
    return list.check(range.address, range.family);
  });
}
