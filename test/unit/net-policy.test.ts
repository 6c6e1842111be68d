/** The network policy's rules (kernel/net-policy.ts) and socket-address text (host/net/socket-address.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatNetRule, NetworkPolicy, parseNetRule } from '../../src/kernel/net-policy.js';
import { canonicalIp, formatIp, ipBytes, type SocketAddress } from '../../src/host/net/socket-address.js';

const v4 = (ip: string, port: number): SocketAddress => ({ family: 'ipv4', ip, port });
const v6 = (ip: string, port: number): SocketAddress => ({ family: 'ipv6', ip: canonicalIp(ip)!, port });

describe('socket addresses', () => {
  test('IPv6 text is canonical (RFC 5952): the longest zero run compressed, lower case, mapped IPv4 dotted', () => {
    assert.equal(canonicalIp('0:0:0:0:0:0:0:1'), '::1');
    assert.equal(canonicalIp('2001:DB8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
    assert.equal(canonicalIp('::ffff:7f00:1'), '::ffff:127.0.0.1');
    assert.equal(canonicalIp('::'), '::');
    assert.equal(canonicalIp('1:2:3:4:5:6:7:8'), '1:2:3:4:5:6:7:8');
    assert.equal(canonicalIp('fe80::1%eth0'), 'fe80::1');
  });

  test('bytes round-trip, and malformed text is refused', () => {
    assert.deepEqual([...ipBytes('10.1.2.3')!], [10, 1, 2, 3]);
    assert.equal(formatIp(ipBytes('fd00::abcd')!), 'fd00::abcd');
    for (const bad of ['1.2.3', '1.2.3.256', '01.2.3.4', '1::2::3', '12345::', ':::', 'localhost', '1:2:3:4:5:6:7:8:9']) {
      assert.equal(ipBytes(bad), undefined, bad);
    }
  });
});

describe('network policy', () => {
  test('rules: addresses, CIDR blocks, IPv6, ports, ranges and *', () => {
    const p = NetworkPolicy.fromRules(['127.0.0.1:8080', '10.0.0.0/8:80-90', '[::1]:*', '*:443'], undefined);
    assert.ok(p.allowsConnect(v4('127.0.0.1', 8080)));
    assert.ok(!p.allowsConnect(v4('127.0.0.1', 8081)));
    assert.ok(p.allowsConnect(v4('10.200.3.4', 85)));
    assert.ok(!p.allowsConnect(v4('11.0.0.1', 85)));
    assert.ok(p.allowsConnect(v6('::1', 1)));
    assert.ok(p.allowsConnect(v4('8.8.8.8', 443)));
    assert.ok(p.allowsConnect(v6('::ffff:10.0.0.1', 80)), 'an IPv4-mapped address meets the IPv4 rules');
    assert.ok(!p.allowsConnect(v6('fd00::1', 80)));
    assert.ok(p.allowsBind(v4('0.0.0.0', 1)), 'bind is unrestricted without rules');
  });

  test('bind: the unspecified address needs *, port 0 a range that includes 0', () => {
    const p = NetworkPolicy.fromRules(undefined, ['127.0.0.1:*', '[::1]:8000-8100']);
    assert.ok(p.allowsBind(v4('127.0.0.1', 0)));
    assert.ok(p.allowsBind(v4('127.0.0.1', 9)));
    assert.ok(!p.allowsBind(v4('0.0.0.0', 9)));
    assert.ok(p.allowsBind(v6('::1', 8000)));
    assert.ok(!p.allowsBind(v6('::1', 0)));
    assert.ok(NetworkPolicy.fromRules(undefined, ['*:*']).allowsBind(v4('0.0.0.0', 0)));
    assert.ok(p.allowsConnect(v4('1.2.3.4', 5)), 'connect is unrestricted without rules');
  });

  test('names: a lookup of a named host allows what it answered, on the rule\'s ports; localhost is the loopback block', () => {
    const p = NetworkPolicy.fromRules(['example.com:443', 'localhost:8080'], undefined);
    assert.ok(p.allowsLookup('example.com'));
    assert.ok(p.allowsLookup('EXAMPLE.com.'));
    assert.ok(p.allowsLookup('localhost'));
    assert.ok(p.allowsLookup('192.0.2.1'), 'an IP literal needs no lookup');
    assert.ok(!p.allowsLookup('other.example'));
    assert.ok(!p.allowsConnect(v4('93.184.215.14', 443)));
    p.learn('example.com', ['93.184.215.14']);
    assert.ok(p.allowsConnect(v4('93.184.215.14', 443)));
    assert.ok(!p.allowsConnect(v4('93.184.215.14', 80)));
    assert.ok(p.allowsConnect(v4('127.0.0.9', 8080)));
    assert.ok(p.allowsConnect(v6('::1', 8080)));
    assert.throws(() => NetworkPolicy.fromRules(undefined, ['example.com:80']), /allow-bind takes addresses/);
  });

  test('malformed rules say what is wrong', () => {
    assert.throws(() => parseNetRule('127.0.0.1'), /no port/);
    assert.throws(() => parseNetRule('::1:80'), /IPv6 address needs brackets/);
    assert.throws(() => parseNetRule('1.2.3.4:99999'), /port must be/);
    assert.throws(() => parseNetRule('1.2.3.4:90-80'), /port must be/);
    assert.throws(() => parseNetRule('1.2.3.4/33:80'), /prefix must be 0-32/);
    assert.throws(() => parseNetRule('bad_name!:80'), /not an IP address or host name/);
    const r = parseNetRule('[fd00::/8]:1-2');
    assert.ok('rule' in r);
    assert.equal(formatNetRule(r.rule), '[fd00::/8]:1-2');
  });
});
