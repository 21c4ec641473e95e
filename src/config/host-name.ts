import { isIPv4, isIPv6 } from 'node:net';

/**
 * A host name, an IPv4 address, or an IPv6 address in brackets. Labels are letters, digits,
 * hyphens and underscores: DNS host names have no underscore, but names that /etc/hosts or a
 * container network resolve often do (`mongo_1`), and refusing them would refuse a working setup.
 */
export function isHost(h: string): boolean {
  if (/^\[[0-9A-Fa-f:.]+\]$/.test(h)) return isIPv6(h.slice(1, -1));
  if (/^[0-9.]+$/.test(h)) return isIPv4(h);
  return h.length <= 253 && h.split('.').every((label) => /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(label));
}

/** A host to connect to: a host name or address as above, or an IPv6 address without brackets (`::1`). */
export function isHostOrAddress(h: string): boolean {
  return isHost(h) || isIPv6(h);
}
