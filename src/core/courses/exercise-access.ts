/**
 * Who may take which files of an exercise: pure rules, decided once here and used by every
 * dialect (Hive's downloads, the assignment's `patbas` flag, Assay's file endpoints).
 */
export type PatbasPolicy = 'Never' | 'On Done' | 'Always' | 'Staff Only';
export const PATBAS_POLICIES = ['Never', 'On Done', 'Always', 'Staff Only'] as const;
export type PreviewType = 'Disabled' | 'Markdown' | 'PDF';
export const PREVIEW_TYPES = ['Disabled', 'Markdown', 'PDF'] as const;

/** What the rules need to know about the caller, relative to one exercise. */
export interface ExerciseViewer {
  /** Checkers, staff, admins and the course's instructors: the side that grades. */
  staffSide: boolean;
  /** The caller's own assignment on this exercise is `Done`. */
  done: boolean;
}

export interface ExerciseFilePolicy {
  download: boolean;
  patbas_download: boolean;
  patbas: PatbasPolicy;
}

/** The starter files: students only when the exercise allows downloading. */
export function mayDownloadHandout(viewer: ExerciseViewer, exercise: Pick<ExerciseFilePolicy, 'download'>): boolean {
  return viewer.staffSide || exercise.download;
}

/** The school solution (PATBAS) and its preview, under the exercise's Patbas policy. */
export function maySeeSolution(viewer: ExerciseViewer, exercise: Pick<ExerciseFilePolicy, 'patbas'>): boolean {
  if (viewer.staffSide) return true;
  if (exercise.patbas === 'Always') return true;
  return exercise.patbas === 'On Done' && viewer.done;
}

/** Downloading the solution files also needs `patbas_download` for students. */
export function mayDownloadSolution(viewer: ExerciseViewer, exercise: ExerciseFilePolicy): boolean {
  return maySeeSolution(viewer, exercise) && (viewer.staffSide || exercise.patbas_download);
}
