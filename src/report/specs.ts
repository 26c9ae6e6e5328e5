/**
 * The report's Vega-Lite specifications, one per chart kind, over named data sets: each is compiled and parsed once
 * per report and every model's data is swapped in (`view.data(name, rows)`), so 300 models cost 300 data updates, not
 * 300 compilations. Sizes are in CSS pixels; grid lines are off and ticks few, to keep each SVG small.
 *
 * @module
 */

/** A Vega-Lite specification (plain JSON; typed loosely so the core library does not need vega-lite's types). */
export type VegaLiteSpec = Record<string, unknown>;

/** The chart kinds of a model's section, and the data sets each one reads. */
export const CHART_DATASETS = {
  lnSigma: ['points', 'limits', 'episodes'],
  cusum: ['points', 'limits', 'episodes'],
  ewma: ['points', 'episodes'],
  sigma: ['bins', 'thresholds'],
  reliability: ['bins', 'diagonal'],
  importance: ['features'],
} as const;

export type ChartKind = keyof typeof CHART_DATASETS;

const WIDTH = 520;
const HEIGHT = 150;
const base = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  background: null,
  config: {
    aria: false,
    axis: { grid: false, ticks: false, labelPadding: 3, labelFontSize: 10, titleFontSize: 10, tickCount: 5 },
    legend: { labelFontSize: 10, titleFontSize: 10 },
    view: { stroke: '#ddd' },
  },
};
const time = {
  field: 't',
  type: 'temporal',
  title: null,
  scale: { type: 'utc' },
  axis: { format: '%Y-%m-%d', labelAngle: 0, tickCount: 5 },
};

/** Dashed rules at the onset, solid rules at the detection of each drift episode. */
const episodeLayers = [
  {
    data: { name: 'episodes' },
    mark: { type: 'rule', color: '#d62728', strokeDash: [3, 3] },
    encoding: { x: { field: 'onset', type: 'temporal' } },
  },
  { data: { name: 'episodes' }, mark: { type: 'rule', color: '#d62728' }, encoding: { x: { field: 'detected', type: 'temporal' } } },
];

/** A thin line of one field of a dataset over time: the centre line and the limits of the control charts. */
function timeLine(dataset: string, field: string, color: string, interpolate?: 'step-after'): Record<string, unknown> {
  return {
    data: { name: dataset },
    mark: { type: 'line', color, ...(interpolate === undefined ? {} : { interpolate }), strokeWidth: 1 },
    encoding: { x: time, y: { field, type: 'quantitative' } },
  };
}

/** The specification of one chart kind. */
export function chartSpec(kind: ChartKind): VegaLiteSpec {
  switch (kind) {
    case 'lnSigma':
      return {
        ...base,
        width: WIDTH,
        height: HEIGHT,
        layer: [
          {
            data: { name: 'points' },
            mark: { type: 'point', shape: 'square', size: 4, filled: true, opacity: 0.6 },
            encoding: {
              x: time,
              y: { field: 'y', type: 'quantitative', title: 'ln sigma', scale: { zero: false } },
              color: {
                field: 'phase',
                type: 'nominal',
                title: null,
                scale: { domain: ['baseline', 'monitoring'], range: ['#999', '#1f77b4'] },
                legend: { orient: 'top' },
              },
            },
          },
          timeLine('limits', 'centre', '#2ca02c', 'step-after'),
          timeLine('limits', 'lower', '#ff7f0e', 'step-after'),
          timeLine('limits', 'upper', '#ff7f0e', 'step-after'),
          ...episodeLayers,
        ],
      };
    case 'cusum':
      return {
        ...base,
        width: WIDTH,
        height: HEIGHT,
        layer: [
          {
            data: { name: 'points' },
            mark: { type: 'line', strokeWidth: 1 },
            encoding: {
              x: time,
              y: { field: 'value', type: 'quantitative', title: 'CUSUM' },
              color: {
                field: 'side',
                type: 'nominal',
                title: null,
                scale: { domain: ['S+ (up)', 'S− (down)'], range: ['#1f77b4', '#9467bd'] },
                legend: { orient: 'top' },
              },
            },
          },
          { data: { name: 'limits' }, mark: { type: 'rule', color: '#ff7f0e' }, encoding: { y: { field: 'h', type: 'quantitative' } } },
          ...episodeLayers,
        ],
      };
    case 'ewma':
      return {
        ...base,
        width: WIDTH,
        height: HEIGHT,
        layer: [
          {
            data: { name: 'points' },
            mark: { type: 'line', color: '#1f77b4', strokeWidth: 1 },
            encoding: { x: time, y: { field: 'ewma', type: 'quantitative', title: 'EWMA' } },
          },
          timeLine('points', 'limit', '#ff7f0e'),
          timeLine('points', 'negLimit', '#ff7f0e'),
          ...episodeLayers,
        ],
      };
    case 'sigma':
      return {
        ...base,
        width: WIDTH,
        height: HEIGHT,
        layer: [
          {
            data: { name: 'bins' },
            mark: { type: 'rect' },
            encoding: {
              x: {
                field: 'lower',
                type: 'quantitative',
                title: 'sigma (log scale)',
                scale: { type: 'log' },
                axis: { format: '.1e', tickCount: 4 },
              },
              x2: { field: 'upper' },
              y: { field: 'count', type: 'quantitative', title: 'tracks', stack: 'zero' },
              color: {
                field: 'outcome',
                type: 'nominal',
                title: null,
                scale: { domain: ['pass', 'fail'], range: ['#7fb3d5', '#e6550d'] },
                legend: { orient: 'top' },
              },
            },
          },
          {
            data: { name: 'thresholds' },
            mark: { type: 'rule', strokeWidth: 2 },
            encoding: {
              x: { field: 'value', type: 'quantitative' },
              strokeDash: {
                field: 'kind',
                type: 'nominal',
                title: null,
                scale: {
                  domain: ['learned', 'formula'],
                  range: [
                    [1, 0],
                    [4, 3],
                  ],
                },
                legend: { orient: 'top' },
              },
              color: { value: '#333' },
            },
          },
        ],
      };
    case 'reliability':
      return {
        ...base,
        width: 220,
        height: 220,
        layer: [
          {
            data: { name: 'diagonal' },
            mark: { type: 'line', color: '#bbb', strokeDash: [4, 3] },
            encoding: {
              x: { field: 'x', type: 'quantitative', title: 'predicted P(fail)', scale: { domain: [0, 1] } },
              y: { field: 'y', type: 'quantitative', title: 'observed failure rate', scale: { domain: [0, 1] } },
            },
          },
          {
            data: { name: 'bins' },
            mark: { type: 'rule', color: '#1f77b4' },
            encoding: { x: { field: 'predicted', type: 'quantitative' }, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } },
          },
          {
            data: { name: 'bins' },
            mark: { type: 'point', filled: true, color: '#1f77b4' },
            encoding: {
              x: { field: 'predicted', type: 'quantitative' },
              y: { field: 'observed', type: 'quantitative' },
              size: { field: 'n', type: 'quantitative', title: 'units', scale: { range: [15, 200] }, legend: null },
            },
          },
        ],
      };
    case 'importance':
      return {
        ...base,
        width: 220,
        height: { step: 14 },
        data: { name: 'features' },
        mark: { type: 'bar', color: '#1f77b4' },
        encoding: {
          y: { field: 'feature', type: 'nominal', sort: null, title: null },
          x: { field: 'importance', type: 'quantitative', title: 'importance', axis: { format: '.0%', tickCount: 3 } },
        },
      };
  }
}
