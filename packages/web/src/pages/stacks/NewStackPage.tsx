import { PageHeader } from '../../components/PageHeader.tsx';

export default function NewStackPage() {
  return <PageHeader title="NewStackPage" description="Not built yet" />;
}
