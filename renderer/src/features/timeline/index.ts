/** The timeline feature: its Studio panel and its actions. */
export { TimelinePanel } from './TimelinePanel';
export { timelineActions } from './actions/index';
