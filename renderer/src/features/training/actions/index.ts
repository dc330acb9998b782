import { cancelTrainingRun } from './cancel-run';
import { exportTrainedPack } from './export-pack';
import { openTraining } from './open-training';
import { pauseTrainingRun } from './pause-run';
import { resumeTrainingRun } from './resume-run';
import { startTrainingRun } from './start-run';
import { undoDatasetEdit } from './undo-dataset-edit';

export const trainingActions = [openTraining, startTrainingRun, pauseTrainingRun, resumeTrainingRun, cancelTrainingRun, exportTrainedPack, undoDatasetEdit];
