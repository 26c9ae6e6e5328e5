/**
 * Renders the report's charts to SVG strings with Vega's headless SVG renderer (`view.toSVG()`, no browser, no
 * canvas). `vega` and `vega-lite` are optional peer dependencies, loaded here on first use by dynamic import, so the
 * core library never loads them.
 *
 * @module
 */
import { MissingDependencyError } from '../core/errors.js';
import { CHART_DATASETS, chartSpec, type ChartKind } from './specs.js';

/** The parts of Vega's API the renderer uses. */
interface VegaView {
  data(name: string, values: readonly object[]): VegaView;
  runAsync(): Promise<VegaView>;
  toSVG(): Promise<string>;
}
interface VegaModule {
  parse(spec: unknown): unknown;
  View: new (runtime: unknown, options: { renderer: 'none'; logLevel?: number }) => VegaView;
}
interface VegaLiteModule {
  compile(spec: unknown): { spec: unknown };
}

/** Imports an optional package by name (a variable specifier keeps bundlers from resolving it at build time). */
export function importOptional(name: string): Promise<unknown> {
  const specifier: string = name;
  return import(specifier);
}

/** Loads vega and vega-lite, or throws {@link MissingDependencyError} naming the install command. */
async function loadVega(load: (name: string) => Promise<unknown>): Promise<{ vega: VegaModule; vl: VegaLiteModule }> {
  try {
    const [vega, vl] = (await Promise.all([load('vega'), load('vega-lite')])) as [VegaModule, VegaLiteModule];
    return { vega, vl };
  } catch (cause) {
    throw new MissingDependencyError(['vega', 'vega-lite'], 'The HTML report (laser-trim-ml report / writePlantReport)', { cause });
  }
}

/** Rounds the numbers of an SVG's geometry attributes to `decimals` (shorter files; 0.1 px is below what a screen shows). */
export function roundSvgCoordinates(svg: string, decimals = 1): string {
  const f = 10 ** decimals;
  const round = (v: string): string => {
    const r = Math.round(Number(v) * f) / f;
    return Object.is(r, -0) ? '0' : String(r);
  };
  return svg.replace(
    / (d|transform|x|y|x1|x2|y1|y2|width|height|points)="([^"]*)"/g,
    (_m, attr: string, value: string) => ` ${attr}="${value.replace(/-?\d*\.\d+(?:e-?\d+)?/g, round)}"`,
  );
}

/**
 * Merges runs of sibling symbol paths that differ only in their position (`<path transform="translate(x,y)"
 * d="Mx0,y0…"/>` with the same relative path and attributes, as Vega draws the points of a square-shaped point mark)
 * into one path of absolute moves, positions rounded to whole pixels: the same picture in about a fifth of the bytes.
 */
export function mergeSymbolPaths(svg: string): string {
  const one = /<path transform="translate\((-?[\d.]+),(-?[\d.]+)\)" d="M(-?[\d.]+),(-?[\d.]+)([hvHVzZ\d.\- ]*)"((?: [a-z-]+="[^"]*")*)\/>/g;
  let out = '';
  let last = 0;
  let run: { start: number; end: number; rest: string; attrs: string; d: string[] } | null = null;
  const flush = (): void => {
    if (run === null) return;
    out += `<path d="${run.d.join('')}"${run.attrs}/>`;
    last = run.end;
    run = null;
  };
  for (let m = one.exec(svg); m !== null; m = one.exec(svg)) {
    const [whole, tx, ty, mx, my, rest, attrs] = m as unknown as [string, string, string, string, string, string, string];
    // Whole pixels: the points are 2 px squares, and half a pixel of position is below what the chart can show.
    const r = (v: number): string => String(Math.round(v));
    const d = `M${r(Number(tx) + Number(mx))},${r(Number(ty) + Number(my))}${rest}`;
    if (run !== null && run.end === m.index && run.rest === rest && run.attrs === attrs) {
      run.d.push(d);
      run.end = m.index + whole.length;
      continue;
    }
    flush();
    out += svg.slice(last, m.index);
    last = m.index;
    run = { start: m.index, end: m.index + whole.length, rest, attrs, d: [d] };
  }
  flush();
  return out + svg.slice(last);
}

/**
 * Drops what a static, inline SVG does not need: Vega's class / ARIA / role attributes (the report turns ARIA off
 * per mark; the chart's caption says what it shows), `pointer-events`, default `opacity="1"`, the font family (set
 * once by the page's CSS), empty placeholder paths and groups, and axis labels Vega hid for overlap (`opacity="0"`).
 */
export function compactSvg(svg: string): string {
  let s = svg
    .replace(/ (?:class|role|aria-[a-z]+|pointer-events)="[^"]*"/g, '')
    .replace(/ opacity="1"/g, '')
    .replace(/ (?:xmlns:xlink|version|stroke-miterlimit)="[^"]*"/g, '')
    .replace(/ font-family="sans-serif"/g, '')
    .replace(/<text[^>]* opacity="0"[^>]*>[^<]*<\/text>/g, '')
    .replace(/<text[^>]*\/>/g, '')
    .replace(/<path d="M0,0h0v0h0Z"\/>/g, '')
    .replace(/<path d=""[^>]*\/>/g, '');
  // The page's CSS sets the text defaults Vega writes on every label.
  // A label placed by a pure translation is placed by x and y instead (the same position, fewer bytes), and the
  // default anchor (start) is not written.
  s = s.replace(/<text[^>]*>/g, (tag) =>
    tag
      .replace(/ font-size="10px"/, '')
      .replace(/ fill="#000"/, '')
      .replace(/ text-anchor="start"/, '')
      .replace(/ transform="translate\((-?[\d.]+),(-?[\d.]+)\)"/, ' x="$1" y="$2"'),
  );
  for (let prev = ''; prev !== s;) {
    prev = s;
    s = s.replace(/<g(?: transform="[^"]*")?><\/g>/g, '');
  }
  return unwrapBareGroups(s);
}

/** Removes `<g>` elements without attributes (their children stay where they are: a bare group changes nothing). */
function unwrapBareGroups(svg: string): string {
  const bare: boolean[] = [];
  return svg.replace(/<g(\s[^>]*)?>|<\/g>/g, (tag, attrs: string | undefined) => {
    if (tag === '</g>') return bare.pop() ? '' : tag;
    const isBare = attrs === undefined || attrs.trim() === '';
    bare.push(isBare);
    return isBare ? '' : tag;
  });
}

/** Draws the report's chart kinds: one parsed Vega view per kind, reused for every model. */
export class ChartRenderer {
  private readonly views = new Map<ChartKind, VegaView>();
  private constructor(
    private readonly vega: VegaModule,
    private readonly vl: VegaLiteModule,
  ) {}

  /**
   * Loads Vega (throws {@link MissingDependencyError} when it is not installed). `load` imports a package by name
   * (default: a dynamic `import()`; tests pass one that fails).
   */
  static async create(load: (name: string) => Promise<unknown> = importOptional): Promise<ChartRenderer> {
    const { vega, vl } = await loadVega(load);
    return new ChartRenderer(vega, vl);
  }

  /** The SVG of one chart with these data sets (every data set of the kind must be given). */
  async render(kind: ChartKind, data: Readonly<Record<string, readonly object[]>>): Promise<string> {
    let view = this.views.get(kind);
    if (!view) {
      const runtime = this.vega.parse(this.vl.compile(chartSpec(kind)).spec);
      view = new this.vega.View(runtime, { renderer: 'none', logLevel: 0 });
      this.views.set(kind, view);
    }
    for (const name of CHART_DATASETS[kind]) view.data(name, data[name] ?? []);
    await view.runAsync();
    return compactSvg(mergeSymbolPaths(roundSvgCoordinates(await view.toSVG())));
  }
}
