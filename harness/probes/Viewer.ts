import type { TypedEmitter } from '../../common/TypedEmitter.js';
import type { PageReport } from '../page/reports.js';
import type { ViewerQoe } from './ViewerQoe.js';

export type ViewerEvents = {
  /** Anything the viewer's session reported, for the journal. */
  report: [viewerId: string, report: PageReport];
  close: [];
};

/** A viewer of any kind, as the run sees it: it joins, it measures, it leaves. */
export interface Viewer {
  readonly id: string;
  readonly kind: 'browser' | 'synthetic';
  readonly qoe: ViewerQoe;
  readonly observer: TypedEmitter<ViewerEvents>;
  join(): Promise<void>;
  /** Leaves; measurement ends at `end`. */
  close(end?: number): Promise<void>;
}

/** How any viewer measures, whatever its kind. */
export interface ViewerMeasurement {
  fixedFreezeThresholdsMs: number[];
  /** An audio-only broadcast: first audio, not a video frame, marks join and recovery. */
  audioOnly: boolean;
  /** Browser viewers of the stamped source read its stamps and audio markers. */
  readsStamps: boolean;
}
