// Enumerations of follow-up work (SPEC §3 Follow-up).
import { bilingualEnum } from '../../graphql/enums';

export enum FollowUpMethod {
  VISIT = 'VISIT',
  PHONE = 'PHONE',
  VIDEO = 'VIDEO',
  OTHER = 'OTHER',
}
bilingualEnum(FollowUpMethod, 'FollowUpMethod', '走访方式 / Follow-up method', {
  VISIT: '上门走访 / Visit',
  PHONE: '电话 / Phone',
  VIDEO: '视频 / Video',
  OTHER: '其他 / Other',
});
