// Where a webhook may point (SSRF, SPEC §5a): the server posts to URLs its callers chose, so a URL
// must not turn it into a proxy into its own network. Allowed: http(s) to a loopback address, or to a
// host named in WEBHOOK_ALLOWED_HOSTS. The name is resolved and every address it resolves to is
// checked — never link-local (169.254.0.0/16 holds the cloud metadata service), unspecified,
// multicast, or the database's own host and port; private ranges only when configured — at
// registration and again at every delivery, which then connects to the address it checked (a name
// that resolves elsewhere a moment later is not followed). Redirects are never followed (worker.ts).
import { lookup } from 'node:dns/promises';
import net, { BlockList } from 'node:net';
import type { DataSource } from 'typeorm';
import type { Config } from '../../config';

export interface CheckedTarget {
  url: URL;
  /** The address the request connects to. */
  address: string;
  family: 4 | 6;
  port: number;
}

export type TargetCheck = { target: CheckedTarget } | { refused: string };

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

const NEVER = new BlockList();
NEVER.addSubnet('0.0.0.0', 8, 'ipv4');
NEVER.addSubnet('169.254.0.0', 16, 'ipv4');
NEVER.addSubnet('224.0.0.0', 4, 'ipv4');
NEVER.addSubnet('240.0.0.0', 4, 'ipv4');
NEVER.addAddress('::', 'ipv6');
NEVER.addSubnet('fe80::', 10, 'ipv6');
NEVER.addSubnet('ff00::', 8, 'ipv6');

const PRIVATE = new BlockList();
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');

/** An IPv4-mapped IPv6 address is its IPv4 address: `::ffff:169.254.169.254` and `::ffff:a9fe:a9fe` alike. */
function normalised(address: string): { address: string; family: 4 | 6 } {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted?.[1]) return { address: dotted[1], family: 4 };
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hex?.[1] && hex[2]) {
    const high = parseInt(hex[1], 16);
    const low = parseInt(hex[2], 16);
    return { address: [high >> 8, high & 255, low >> 8, low & 255].join('.'), family: 4 };
  }
  return { address, family: net.isIPv6(address) ? 6 : 4 };
}

const kind = (family: 4 | 6) => (family === 4 ? 'ipv4' : 'ipv6');

/** The database's host and port as the API connects to it: never a webhook target. */
function databaseEndpoints(config: Config, dataSource: DataSource): { host: string; port: number }[] {
  const urls = [config.databaseUrl, (dataSource.options as { url?: string }).url].filter(
    (url): url is string => Boolean(url),
  );
  return urls.flatMap((text) => {
    try {
      const url = new URL(text);
      return [{ host: url.hostname.replace(/^\[|\]$/g, '').toLowerCase(), port: Number(url.port || 5432) }];
    } catch {
      return [];
    }
  });
}

async function addressesOf(host: string): Promise<{ address: string; family: 4 | 6 }[]> {
  if (net.isIP(host)) return [normalised(host)];
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((entry) => normalised(entry.address));
}

/** Whether `text` may be posted to now, and the address to connect to. */
export async function checkTarget(
  text: string,
  config: Config,
  dataSource: DataSource,
): Promise<TargetCheck> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { refused: 'url must be an absolute http or https URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { refused: 'url must be an http or https URL' };
  if (url.username || url.password) return { refused: 'url must not carry a user name or password' };
  if (url.hash) return { refused: 'url must not have a #fragment' };
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const listed = config.webhooks.allowedHosts.includes(host);
  let addresses: { address: string; family: 4 | 6 }[];
  try {
    addresses = await addressesOf(host);
  } catch {
    return { refused: `the host ${host} does not resolve` };
  }
  if (addresses.length === 0) return { refused: `the host ${host} does not resolve` };
  const database = databaseEndpoints(config, dataSource);
  const databaseAddresses = new Set<string>();
  for (const endpoint of database) {
    if (endpoint.port !== port) continue;
    for (const address of await addressesOf(endpoint.host).catch(() => []))
      databaseAddresses.add(address.address);
  }
  for (const { address, family } of addresses) {
    if (NEVER.check(address, kind(family)))
      return { refused: `the host ${host} resolves to a link-local, multicast or unspecified address` };
    const loopback = LOOPBACK.check(address, kind(family));
    if (databaseAddresses.has(address) || (loopback && database.some((endpoint) => endpoint.port === port)))
      return { refused: 'url must not name the database' };
    if (!loopback && !listed)
      return { refused: `the host ${host} is neither loopback nor in WEBHOOK_ALLOWED_HOSTS` };
    if (!loopback && PRIVATE.check(address, kind(family)) && !config.webhooks.allowPrivateNetworks)
      return {
        refused: `the host ${host} resolves to a private address (WEBHOOK_ALLOW_PRIVATE_NETWORKS is off)`,
      };
  }
  const first = addresses[0] as { address: string; family: 4 | 6 };
  return { target: { url, address: first.address, family: first.family, port } };
}
