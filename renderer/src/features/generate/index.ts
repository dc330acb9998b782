/** The generate feature: the Generate panel of the Studio screen and its actions. */
export { GeneratePanel } from './GeneratePanel';
export { generateActions } from './actions/index';
