import { describe, expect, it } from 'vitest';
import { rocCurve } from './metrics.js';
import { escapeXml, rocSvg } from './roc-svg.js';

/** Checks that tags nest and close properly and attributes are quoted: enough for "well-formed" here. */
function assertWellFormed(xml: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    expect(xml.slice(last, m.index)).not.toMatch(/[<>]/); // text between tags has no stray brackets
    expect(xml.slice(last, m.index)).not.toMatch(/&(?!(lt|gt|amp|quot|apos);)/);
    last = tag.lastIndex;
    const [, close, name, , selfClose] = m;
    if (selfClose) continue;
    if (close) expect(stack.pop()).toBe(name);
    else stack.push(name!);
  }
  expect(xml.slice(last).trim()).toBe('');
  expect(stack).toEqual([]);
}

describe('rocSvg', () => {
  const curve = rocCurve([0.9, 0.8, 0.7, 0.6, 0.5, 0.4], [true, true, false, true, false, false]);

  it('is well-formed SVG with one polyline and legend entry per series', () => {
    const svg = rocSvg([{ name: 'teacher', curve, note: '512 B' }, { name: 'facevq:m <&> "x"', curve }], { title: 'LFW & co' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    assertWellFormed(svg);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('teacher (512 B)');
    expect(svg).toContain('facevq:m &lt;&amp;&gt; &quot;x&quot;');
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('draws a log FAR axis from minFar to 1', () => {
    const svg = rocSvg([{ name: 'a', curve }], { minFar: 1e-3 });
    for (const label of ['1e-3', '1e-2', '1e-1', '1e0']) expect(svg).toContain(`>${label}<`);
    expect(svg).not.toContain('>1e-4<');
  });

  it('keeps a 6,000-pair curve small', () => {
    const n = 6000;
    const s = Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 0.5 + (i % 2 ? 0.3 : 0));
    const svg = rocSvg([{ name: 'big', curve: rocCurve(s, s.map((_, i) => i % 2 === 1)) }]);
    assertWellFormed(svg);
    expect(svg.length).toBeLessThan(60_000);
  });

  it('escapes the five XML specials', () => {
    expect(escapeXml(`<a b="c" d='e'>&`)).toBe('&lt;a b=&quot;c&quot; d=&apos;e&apos;&gt;&amp;');
  });
});
