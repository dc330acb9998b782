/** Mounts the project feature once in the app: the autosave controller and the dialogs. */
import { useEffect } from 'react';
import type { ActionContext } from '../../actions/action';
import { AutosaveController } from './autosave-controller';
import { ProjectDialogs } from './ProjectDialogs';
import { afterProjectLoaded, attachAutosave } from './project-session';

export function ProjectHost({ ctx }: { ctx: ActionContext }) {
  useEffect(() => {
    const controller = new AutosaveController(ctx.studio, ctx.store, (dir) => void afterProjectLoaded(ctx.studio, dir, ctx.store));
    attachAutosave(controller);
    const stop = controller.start();
    return () => {
      stop();
      attachAutosave(null);
    };
  }, [ctx]);
  return <ProjectDialogs ctx={ctx} />;
}
