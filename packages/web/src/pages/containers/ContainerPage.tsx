import { PageHeader } from '../../components/PageHeader.tsx';

export default function ContainerPage() {
  return <PageHeader title="ContainerPage" description="Not built yet" />;
}
