// The lines a trained-model block adds to its card on the canvas: its frozen and trainable parameter
// counts (the validate answer's) and its inner layers, folded (a Pretrained block's up to its cut).
import type { LayerSpec, NodeReport, Params } from "../api/types";
import { ApplicationLayers, InnerLayerList, useSourceLayers } from "./PretrainedFields";
import { PRETRAINED, WEIGHTS_RUN, formatFrozen, showsFrozen } from "./pretrained";
import "./PretrainedFields.css";

/** Whether a catalog entry is a Keras Applications block (it takes a run's weights). */
export function isApplication(spec: LayerSpec | undefined): boolean {
  return !!spec?.params.some((p) => p.name === WEIGHTS_RUN);
}

export function TrainedBlockLines({
  id,
  type,
  params,
  spec,
  report,
}: {
  id: string;
  type: string;
  params: Params;
  spec: LayerSpec | undefined;
  report: NodeReport | undefined;
}) {
  const application = isApplication(spec);
  if (type !== PRETRAINED && !application) return null;
  const counts =
    report && showsFrozen(type, application, report.params, report.trainable_params)
      ? formatFrozen(report.params, report.trainable_params)
      : null;
  return (
    <>
      {counts && (
        <div className="block-frozen" data-testid={`node-frozen-${id}`}>
          {counts}
        </div>
      )}
      {type === PRETRAINED && <PretrainedLayers id={id} params={params} />}
      {application && (
        <ApplicationLayers id={id} type={type} params={params} testId={`node-layers-${id}`} compact />
      )}
    </>
  );
}

function PretrainedLayers({ id, params }: { id: string; params: Params }) {
  const { layers } = useSourceLayers(params);
  if (!layers?.length) return null;
  const cutAt = typeof params.cut_at === "string" ? params.cut_at : null;
  return <InnerLayerList layers={layers} cutAt={cutAt} testId={`node-layers-${id}`} compact />;
}
